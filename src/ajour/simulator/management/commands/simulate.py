"""`ajour simulate --reform FILE --year Y [--mode claim|account] [--json]`: a reform run on the records.

FILE is an ``ajour.reform/1`` YAML file, or the name of a shipped example (``dsam_3x2h``,
``allocation_23000``, ``uniform_dge_grant``). Nothing is saved (the page and the API save scenarios);
the figures are the same. An invalid reform or year exits 2 with one JSON error object on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from ajour.core.formats import format_half_days, format_ore
from ajour.rules.reforms import Reform, ReformError, load_reform, shipped_reforms
from ajour.simulator import services
from ajour.simulator.display import note_text
from ajour.simulator.models import Mode
from ajour.simulator.results import TABLE_KEYS, row_label


class Command(BaseCommand):
    help = (
        "Run a reform (a YAML file or a shipped example's name) on the stored claims of a year, per claim or "
        "per account, and print the figures (--json for the ajour.simulation/1 document)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reform", required=True, metavar="FILE", help="reform file, or an example's name"
        )
        parser.add_argument("--year", type=int, required=True, help="the year the activities were held")
        parser.add_argument("--mode", choices=Mode.values, default=Mode.ACCOUNT, help="default: account")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--lang", choices=["da", "en"], default="en", help="language of notes and errors")

    def handle(self, *args: Any, **options: Any) -> None:
        lang = options["lang"]
        with translation.override(lang):
            try:
                reform = _reform(options["reform"])
                run = services.simulate(reform=reform, year=options["year"], mode=options["mode"])
            except ReformError as error:
                self._fail(error.as_json(lang))
            except services.SimulationError as error:
                self._fail({"error": "invalid_simulation", "field": error.field, "message": error.message})
            results = {**run.results, "notes_text": [note_text(note) for note in run.results["notes"]]}
            if options["json"]:
                self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
            else:
                self.stdout.write(_summary(results, lang))

    def _fail(self, error: dict[str, str]) -> NoReturn:
        """Invalid input: one JSON error object on stderr and exit status 2, as `ajour quote` does."""
        self.stderr.write(json.dumps(error, ensure_ascii=False))
        raise SystemExit(2)


def _reform(name: str) -> Reform:
    path = Path(name)
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise ReformError("", "not_yaml", detail=str(error)) from None
        return load_reform(text)
    found = shipped_reforms().get(name)
    if found is None:
        raise ReformError("", "unknown_example", name=name)
    return found


def _summary(results: dict[str, Any], lang: str) -> str:
    """A plain-text report: the headline, every breakdown, the notes."""
    totals = results["totals"]

    def money(amount: int | None) -> str:
        return "–" if amount is None else format_ore(amount, lang)

    lines = [
        f"{results['reform']['label'][lang]} ({results['reform']['name']} v{results['reform']['version']}, "
        f"rules {results['reform']['rules_version']}): {results['year']}, {results['mode']}",
        f"  claims replayed: {results['claims']}, left out: {results['claims_left_out']}, "
        f"settled by hand: {results['claims_settled_by_hand']}",
        f"  cost today: {money(totals['today_ore'])}; under the reform: {money(totals['reform_ore'])}; "
        f"difference: {money(totals['difference_ore'])}",
        f"  GPs better off: {totals['gps_better_off']}, worse off: {totals['gps_worse_off']}, "
        f"unchanged: {totals['gps_unchanged']}",
        f"  claims whose outcome changes: {totals['claims_outcome_changed']}",
        f"  systematic days used: {format_half_days(totals['systematic_half_days_today'])} → "
        f"{format_half_days(totals['systematic_half_days_reform'])}",
        f"  self-chosen forfeited at the close: {money(totals.get('forfeited_self_chosen_today_ore'))} → "
        f"{money(totals.get('forfeited_self_chosen_reform_ore'))}",
        f"  DGE group grants: {money(totals['dge_grants_today_ore'])} → "
        f"{money(totals['dge_grants_reform_ore'])} ({totals['dge_groups']} groups)",
    ]
    for key in TABLE_KEYS:
        rows = results["breakdowns"].get(key) or []
        if not rows:
            continue
        lines.append(f"{key}:")
        for row in rows:
            label = row_label(key, row["key"])
            if "today_ore" in row:
                lines.append(
                    f"  {label}: {money(row['today_ore'])} → {money(row['reform_ore'])} "
                    f"({money(row['difference_ore'])}), {row.get('gps', 0)} GPs"
                )
            else:
                lines.append(f"  {label}: {row['gps']} GPs, {money(row['difference_ore'])}")
    lines += [f"* {note}" for note in results["notes_text"]]
    return "\n".join(lines)
