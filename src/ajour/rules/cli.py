"""``ajour quote`` and ``ajour rules``: the rules engine on the command line, without Django.

``ajour quote FILE|-`` prints one ``ajour.decision/1`` document and exits 0 whatever the outcome;
invalid input exits 2 with one ``invalid_claim`` JSON object on stderr. A file that cannot be
read, is not UTF-8 or is not JSON is invalid input with ``field`` ``""`` (the document itself).
Output is UTF-8 JSON indented by two spaces.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import BinaryIO

from ajour.rules import decide_payload
from ajour.rules.bench import ROUNDS, run_benchmark
from ajour.rules.messages import BY_CODE, LANGUAGES, Language
from ajour.rules.parameters import ParameterRow, ParameterSet, parameter_table
from ajour.rules.schema import InvalidClaim


def run_quote(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ajour quote", description="Decide one ajour.claim/1 document.")
    parser.add_argument("file", metavar="FILE", help="the claim as JSON, or - to read standard input")
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help="language of messages (default en)")
    args = parser.parse_args(argv)
    try:
        decision = decide_payload(_load_json(args.file), lang=args.lang)
    except InvalidClaim as error:
        _write_json(sys.stderr.buffer, error.as_json())
        return 2
    _write_json(sys.stdout.buffer, decision)
    return 0


def _load_json(name: str) -> object:
    try:
        if name == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(name, "rb") as file:
                raw = file.read()
    except OSError as error:
        raise InvalidClaim("", f"cannot read {name}: {error.strerror}") from None
    try:
        return json.loads(
            raw.decode("utf-8-sig"), parse_constant=_reject_constant, object_pairs_hook=_unique_keys
        )
    except UnicodeDecodeError:
        raise InvalidClaim("", "is not UTF-8 text") from None
    except ValueError as error:
        raise InvalidClaim("", f"is not valid JSON: {error}") from None


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key {key!r} appears twice in one object")
        result[key] = value
    return result


def _write_json(stream: BinaryIO, data: object) -> None:
    stream.write(json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
    stream.flush()


def run_rules(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ajour rules", description="Inspect and measure the rules engine.")
    commands = parser.add_subparsers(dest="command", required=True)
    params = commands.add_parser("params", help="the table of parameters in force on a date")
    params.add_argument("--on", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default today)")
    params.add_argument("--lang", choices=LANGUAGES, default="en")
    bench = commands.add_parser("bench", help="claims decided per second per core, by path")
    bench.add_argument("--n", type=int, default=100_000, help="number of generated claims (default 100000)")
    bench.add_argument(
        "--rounds", type=int, default=ROUNDS, help=f"timed rounds, best kept (default {ROUNDS})"
    )
    args = parser.parse_args(argv)
    if args.command == "params":
        on = args.on or date.today()
        print(format_parameter_table(on, parameter_table(on), BY_CODE[args.lang]))
    else:
        print(run_benchmark(args.n, args.rounds).report())
    return 0


def format_parameter_table(on: date, rows: list[ParameterRow], language: Language) -> str:
    english = language.code == "en"
    version = ParameterSet.default().version
    title = (
        f"Parameters in force on {on} (rules {version})"
        if english
        else f"Parametre gældende {on} (regler {version})"
    )
    lines = [title, ""]
    table = [
        (
            row.name,
            _format_value(row, language),
            row.valid_from.isoformat() + (" *" if row.assumed else ""),
            row.source,
            row.label_en if english else row.label_da,
        )
        for row in rows
    ]
    header = ("parameter", "value", "valid from", "source", "label")
    if not english:
        header = ("parameter", "værdi", "gælder fra", "kilde", "betegnelse")
    widths = [max(len(cells[index]) for cells in [header, *table]) for index in range(4)]
    for cells in [header, *table]:
        padded = [cell.ljust(width) for cell, width in zip(cells[:4], widths, strict=True)]
        lines.append("  ".join([*padded, cells[4]]))
    lines.append("")
    lines.append(
        "* assumed: no published start date" if english else "* antaget: ingen offentliggjort startdato"
    )
    return "\n".join(lines)


def _format_value(row: ParameterRow, language: Language) -> str:
    value = row.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return ", ".join(sorted(value))
    if row.unit == "ore":
        return language.money(value)
    if row.unit == "basis_points":
        return f"{language.number(value / 100)} %"
    english = language.code == "en"
    singular, plural = _SUFFIXES[row.unit][0 if english else 1]
    return f"{value} {singular if value == 1 else plural}"


_SUFFIXES = {
    "minutes": (("min", "min"), ("min", "min")),
    "days": (("day", "days"), ("dag", "dage")),
    "half_days": (("half day", "half days"), ("halv dag", "halve dage")),
    "months": (("month", "months"), ("måned", "måneder")),
    "years": (("year", "years"), ("år", "år")),
    "characters": (("character", "characters"), ("tegn", "tegn")),
}
"""English and Danish (singular, plural) of each counted unit in the parameter table."""
