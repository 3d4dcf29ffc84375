"""The simulator's figures: the replayed claims of a year against the decisions actually stored.

`figures()` sums per-claim rows into the ``ajour.simulation/1`` document that the page, the API and
`ajour simulate` all show; `tables()` turns it into the statistics app's tables (labels in the active
language), which its charts, exports, suppression and PDF path then draw; `claims_behind()` finds the
claims behind any row, for the drill-down lists. Money is integer øre, systematic days half days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ajour.accounts.models import Doctor, Region
from ajour.catalogue.models import Provider, Topic
from ajour.simulator.selectors import CLINIC_STAFF, Final
from ajour.stats.suppression import MIN_CELL_GPS, Cell, Margin
from ajour.stats.tables import Column, Table, suppress

SCHEMA = "ajour.simulation/1"
STREAMS = ("self_chosen", "systematic", "staff")
BUCKETS: tuple[tuple[str, int | None, int | None], ...] = (
    ("less_than_minus_10000", None, -1_000_000),
    ("minus_10000_to_minus_2000", -1_000_000, -200_000),
    ("minus_2000_to_minus_1", -200_000, 0),
    ("unchanged", 0, 1),
    ("1_to_2000", 1, 200_001),
    ("2000_to_10000", 200_001, 1_000_001),
    ("more_than_10000", 1_000_001, None),
)
"""GPs by the change in what they are paid (øre): (key, from, below); None is open-ended."""
BREAKDOWNS = ("stream", "region", "provider_type", "category", "role")
"""Money breakdowns: today, under the reform, the difference, claims and GPs."""
COLUMNS = (
    "id",
    "doctor",
    "gp",
    "role",
    "region",
    "provider_type",
    "category",
    "settled",
    "today_outcome",
    "reform_outcome",
    "today_self_chosen_ore",
    "reform_self_chosen_ore",
    "today_systematic_ore",
    "reform_systematic_ore",
    "today_staff_ore",
    "reform_staff_ore",
    "today_systematic_half_days",
    "reform_systematic_half_days",
)
"""The columns of a scenario's per-claim rows."""


@dataclass(frozen=True)
class ClaimRow:
    """One claim of the year: its dimensions, what it pays today and under the reform."""

    values: Mapping[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def today_ore(self) -> int:
        return int(self["today_self_chosen_ore"] + self["today_systematic_ore"] + self["today_staff_ore"])

    @property
    def reform_ore(self) -> int:
        return int(self["reform_self_chosen_ore"] + self["reform_systematic_ore"] + self["reform_staff_ore"])

    def stream(self, which: str, stream: str) -> int:
        return int(self[f"{which}_{stream}_ore"])

    def as_list(self) -> list[Any]:
        return [self.values[key] for key in COLUMNS]

    @staticmethod
    def from_list(values: list[Any]) -> ClaimRow:
        return ClaimRow(dict(zip(COLUMNS, values, strict=True)))


def claim_row(
    *,
    claim_id: int,
    doctor: int,
    gp: int | None,
    dimensions: Mapping[str, str],
    settled: bool,
    today: Final,
    reform: Final,
) -> ClaimRow:
    values: dict[str, Any] = {"id": claim_id, "doctor": doctor, "gp": gp, **dimensions, "settled": settled}
    for which, final in (("today", today), ("reform", reform)):
        values[f"{which}_outcome"] = final.outcome
        values[f"{which}_self_chosen_ore"] = final.self_chosen_ore
        values[f"{which}_systematic_ore"] = final.systematic_ore
        values[f"{which}_staff_ore"] = final.staff_ore
        values[f"{which}_systematic_half_days"] = final.systematic_half_days
    return ClaimRow(values)


# --- summing -----------------------------------------------------------------------------------------


def _bucket(difference: int) -> str:
    return next(
        key
        for key, low, below in BUCKETS
        if (low is None or difference >= low) and (below is None or difference < below)
    )


def _money_row(key: str, rows: list[ClaimRow], value: Callable[[ClaimRow, str], int]) -> dict[str, Any]:
    today = sum(value(row, "today") for row in rows)
    reform = sum(value(row, "reform") for row in rows)
    return {
        "key": key,
        "today_ore": today,
        "reform_ore": reform,
        "difference_ore": reform - today,
        "claims": len(rows),
        "gps": len({row["doctor"] for row in rows}),
    }


def _stream_row(rows: list[ClaimRow], stream: str) -> dict[str, Any]:
    """A stream's money: the claims that draw on it today or under the reform."""

    def amount(row: ClaimRow, which: str) -> int:
        return row.stream(which, stream)

    return _money_row(stream, [r for r in rows if amount(r, "today") or amount(r, "reform")], amount)


def _total(row: ClaimRow, which: str) -> int:
    return row.today_ore if which == "today" else row.reform_ore


def _grouped(rows: Iterable[ClaimRow], key: str) -> list[dict[str, Any]]:
    groups: dict[str, list[ClaimRow]] = defaultdict(list)
    for row in rows:
        groups[row[key] or ""].append(row)
    return [_money_row(name, members, _total) for name, members in sorted(groups.items())]


def gp_differences(rows: Iterable[ClaimRow]) -> dict[int, int]:
    """Per GP (GP claims only), what the reform pays more (or less) over the year's claims."""
    per_gp: dict[int, int] = defaultdict(int)
    for row in rows:
        if row["gp"] is not None:
            per_gp[row["gp"]] += row.reform_ore - row.today_ore
    return per_gp


def figures(
    *,
    rows: list[ClaimRow],
    head: Mapping[str, Any],
    forfeited: Mapping[str, tuple[int, int | None, int]] | None,
    dge: tuple[int, int, int],
    notes: list[dict[str, Any]],
) -> dict[str, Any]:
    """The ``ajour.simulation/1`` document. `forfeited`: per account kind (today, under the reform or None
    per claim, holders); `dge`: (groups, recorded grants, grants under the reform)."""
    streams = [_stream_row(rows, stream) for stream in STREAMS]
    per_gp = gp_differences(rows)
    buckets: dict[str, list[int]] = {key: [] for key, _low, _below in BUCKETS}
    for gp, change in per_gp.items():
        buckets[_bucket(change)].append(gp)
    changes: dict[str, list[ClaimRow]] = defaultdict(list)
    for row in rows:
        if row["today_outcome"] != row["reform_outcome"]:
            changes[f"{row['today_outcome']}>{row['reform_outcome']}"].append(row)
    today = sum(row.today_ore for row in rows)
    reform = sum(row.reform_ore for row in rows)
    groups, grants_today, grants_reform = dge
    totals: dict[str, Any] = {
        "today_ore": today,
        "reform_ore": reform,
        "difference_ore": reform - today,
        "claims_outcome_changed": sum(len(found) for found in changes.values()),
        "claims_amount_changed": sum(1 for row in rows if row.reform_ore != row.today_ore),
        "gps": len(per_gp),
        "gps_better_off": sum(1 for d in per_gp.values() if d > 0),
        "gps_worse_off": sum(1 for d in per_gp.values() if d < 0),
        "gps_unchanged": sum(1 for d in per_gp.values() if d == 0),
        "systematic_half_days_today": sum(row["today_systematic_half_days"] for row in rows),
        "systematic_half_days_reform": sum(row["reform_systematic_half_days"] for row in rows),
        "dge_groups": groups,
        "dge_grants_today_ore": grants_today,
        "dge_grants_reform_ore": grants_reform,
    }
    forfeit_rows: list[dict[str, Any]] = []
    for kind, (before, after, holders) in (forfeited or {}).items():
        unit = "half_days" if kind == "systematic" else "ore"
        totals[f"forfeited_{kind}_today_{unit}"] = before
        totals[f"forfeited_{kind}_reform_{unit}"] = after
        if unit == "ore":
            difference = None if after is None else after - before
            forfeit_rows.append(
                {
                    "key": kind,
                    "today_ore": before,
                    "reform_ore": after,
                    "difference_ore": difference,
                    "gps": holders,
                }
            )
    return {
        "schema": SCHEMA,
        **head,
        "behaviour_held_fixed": True,
        "claims": len(rows),
        "claims_settled_by_hand": sum(1 for row in rows if row["settled"]),
        "totals": totals,
        "breakdowns": {
            "stream": streams,
            **{key: _grouped(rows, key) for key in BREAKDOWNS if key != "stream"},
            "gp_difference": [
                {"key": key, "gps": len(members), "difference_ore": sum(per_gp[gp] for gp in members)}
                for key, members in buckets.items()
            ],
            "outcome_change": [_money_row(key, found, _total) for key, found in sorted(changes.items())],
            "forfeited": forfeit_rows,
        },
        "notes": notes,
    }


# --- the claims behind a row ----------------------------------------------------------------------------


def claims_behind(rows: Iterable[ClaimRow], *, table: str, key: str) -> list[ClaimRow] | None:
    """The claims a row of a table sums (None for a table or row that is not about claims)."""
    if table in BREAKDOWNS and table != "stream":
        return [row for row in rows if (row[table] or "") == key]
    if table == "stream" and key in STREAMS:
        return [row for row in rows if row.stream("today", key) or row.stream("reform", key)]
    if table == "outcome_change":
        return [row for row in rows if f"{row['today_outcome']}>{row['reform_outcome']}" == key]
    if table == "gp_difference" and key in {name for name, _low, _below in BUCKETS}:
        members = {gp for gp, difference in gp_differences(rows).items() if _bucket(difference) == key}
        return [row for row in rows if row["gp"] in members]
    return None


# --- tables for the pages, exports and the brief ---------------------------------------------------------

OUTCOMES = {
    "approved": gettext_lazy("approved"),
    "reduced": gettext_lazy("reduced"),
    "rejected": gettext_lazy("rejected"),
}
STREAM_LABELS = {
    "self_chosen": gettext_lazy("Self-chosen"),
    "systematic": gettext_lazy("Systematic"),
    "staff": gettext_lazy("Clinic staff"),
}
BUCKET_LABELS = {
    "less_than_minus_10000": gettext_lazy("More than 10,000 DKK less"),
    "minus_10000_to_minus_2000": gettext_lazy("2,000–10,000 DKK less"),
    "minus_2000_to_minus_1": gettext_lazy("Up to 2,000 DKK less"),
    "unchanged": gettext_lazy("Unchanged"),
    "1_to_2000": gettext_lazy("Up to 2,000 DKK more"),
    "2000_to_10000": gettext_lazy("2,000–10,000 DKK more"),
    "more_than_10000": gettext_lazy("More than 10,000 DKK more"),
}
TITLES = {
    "stream": gettext_lazy("Cost by stream"),
    "region": gettext_lazy("Cost by region"),
    "provider_type": gettext_lazy("Cost by provider type"),
    "category": gettext_lazy("Cost by topic category"),
    "role": gettext_lazy("Cost by role"),
    "gp_difference": gettext_lazy("GPs by the change in what they are paid"),
    "outcome_change": gettext_lazy("Claims whose outcome changes"),
    "forfeited": gettext_lazy("Forfeited at the year-end close"),
}
TABLE_KEYS = tuple(TITLES)


def row_label(table: str, key: str) -> str:
    """A row's name in the active language."""
    if not key:
        empty = {
            "region": _("No region"),
            "provider_type": _("No provider (DGE meetings, study material)"),
            "category": _("No topic (study material)"),
        }
        return empty.get(table, _("None"))
    if table == "stream":
        return str(STREAM_LABELS.get(key, key))
    if table == "region":
        return Region.objects.filter(code=key).values_list("name", flat=True).first() or key
    if table == "provider_type":
        return str(Provider.Kind(key).label) if key in Provider.Kind.values else key
    if table == "category":
        return str(Topic.Category(key).label) if key in Topic.Category.values else key
    if table == "role":
        if key == CLINIC_STAFF:
            return _("Clinic staff")
        return str(Doctor.Role(key).label) if key in Doctor.Role.values else key
    if table == "gp_difference":
        return str(BUCKET_LABELS.get(key, key))
    if table == "outcome_change":
        before, _sep, after = key.partition(">")
        return f"{OUTCOMES.get(before, before)} → {OUTCOMES.get(after, after)}"
    return str(STREAM_LABELS.get(key, key))  # forfeited: self-chosen or clinic staff


def _money_columns() -> list[Column]:
    return [
        Column("label", ""),
        Column("today_ore", _("Today")),
        Column("reform_ore", _("Under the reform")),
        Column("difference_ore", _("Difference")),
        Column("claims", _("Claims"), "count"),
        Column("gps", _("GPs"), "count"),
    ]


def tables(results: Mapping[str, Any]) -> list[Table]:
    """Every breakdown of a scenario as a table (unsuppressed; `stats.tables.suppress` hides small cells)."""
    found = []
    breakdowns = results["breakdowns"]
    for key in TABLE_KEYS:
        rows = breakdowns.get(key) or []
        if key == "forfeited" and not rows:
            continue
        if key == "gp_difference":
            columns = [
                Column("label", ""),
                Column("gps", _("GPs"), "count"),
                Column("difference_ore", _("Difference"), "ore"),
            ]
            y = ["gps"]
        elif key == "forfeited":
            columns = [
                Column("label", ""),
                Column("today_ore", _("Today"), "ore"),
                Column("reform_ore", _("Under the reform"), "ore"),
                Column("difference_ore", _("Difference"), "ore"),
                Column("gps", _("Accounts"), "count"),
            ]
            y = ["difference_ore"]
        else:
            columns = [
                Column(c.key, c.label, "ore" if c.key.endswith("_ore") else c.kind) for c in _money_columns()
            ]
            y = ["difference_ore"]
        labelled = [{**row, "label": row_label(key, row["key"])} for row in rows]
        found.append(
            Table(
                key=key,
                title=TITLES[key],
                columns=columns,
                rows=labelled,
                y=y,
                **_figures(key, columns, labelled),
            )
        )
    return found


def _figures(key: str, columns: list[Column], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Each row as one figure describing its GPs, for `stats.tables.suppress`; a breakdown's rows add up
    to the scenario's headline totals, which every reader sees, so they form a margin whose total is known
    (`shares`): one hidden row is never left to be worked out by subtraction."""
    numeric = tuple(column.key for column in columns if column.numeric and column.kind != "year")
    cells = [
        Cell(figure=("simulation", key, row["key"]), row=index, columns=numeric, gps=int(row.get("gps") or 0))
        for index, row in enumerate(rows)
    ]
    return {"cells": cells, "margins": [Margin(parts=tuple(cell.figure for cell in cells), shares=True)]}


HEADLINE_COUNTS = ("gps_better_off", "gps_worse_off", "gps_unchanged")
"""Totals that count GPs: hidden outside the secretariat when fewer than 5."""


def for_reader(results: Mapping[str, Any], *, unsuppressed: bool) -> dict[str, Any]:
    """The figures a reader may see: all of them for the secretariat; for anyone else every breakdown row
    describing fewer than 5 GPs suppressed (`stats.tables.suppress`) and small counts of GPs hidden."""
    if unsuppressed:
        return dict(results)
    hidden = {table.key: table.rows for table in suppress(tables(results))}
    breakdowns = {key: hidden.get(key, rows) for key, rows in results["breakdowns"].items()}
    totals = dict(results["totals"])
    for key in HEADLINE_COUNTS:
        if 0 < totals[key] < MIN_CELL_GPS:
            totals[key] = None
    return {**results, "totals": totals, "breakdowns": breakdowns}
