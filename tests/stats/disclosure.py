"""A reader who tries to work hidden figures out from the other figures published for the same filter.

Written from the README's measure definitions, not from the suppression code: the reader knows how the
published tables relate and solves for every hidden cell.

- **Totals**: a year's produced course days are the sum of the provider types; the provider-type,
  category and region tables add up to that year's produced course days; the participation tables by
  region, sex and practice size add up to the year's participation (eligible GPs, GPs with claims).
- **Shares**: a table with shares gives its total away (a visible course-day figure divided by its
  share), and a share times the total is the course days.
- **The same figure twice**: a provider type's course days in the breakdown and in the series; a
  topic's course days in the top 10 and in the trends.
- **Ratios**: participation rate × eligible GPs = GPs with claims; course days per GP × GPs with claims
  = produced course days. Published rounded, taken here as exact (a reader would round to whole GPs and
  half days), so the reader is if anything stronger than a real one.

Linear relations are solved exactly (fractions, reduced row echelon form): a hidden cell is worked out
when the relations determine it whatever the other hidden cells are. Ratios are applied between rounds
until nothing more comes out.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

Var = tuple[str, object, str]  # table key, row id (key or year), column
Equation = dict[Var, Fraction]  # Σ coefficient × variable = 0 (constants enter as known variables)
SHARE_TABLES = ("provider_type", "form", "category", "region")
PRODUCED_TOTAL = ("provider_type", "category", "region")
GROUP_TABLES = ("participation_region", "participation_sex", "participation_practice_size")
KINDS = ("plo_e", "regional", "private")


def _row_id(row: dict[str, Any]) -> object:
    return row["key"] if "key" in row else row["year"]


class Reader:
    def __init__(self, tables: list[dict[str, Any]], year: int) -> None:
        self.year = year
        self.by_key = {table["key"]: table for table in tables}
        self.known: dict[Var, Fraction] = {}
        self.hidden: set[Var] = set()
        for table in tables:
            numeric = [c["key"] for c in table["columns"] if c["kind"] not in ("text", "year")]
            for row in table["rows"]:
                for column in numeric:
                    var = (table["key"], _row_id(row), column)
                    value = row.get(column)
                    if value is None:
                        self.hidden.add(var)
                    else:
                        self.known[var] = Fraction(str(value))

    def has(self, var: Var) -> bool:
        return var in self.known or var in self.hidden

    def rows(self, key: str) -> list[object]:
        return [_row_id(row) for row in self.by_key[key]["rows"]] if key in self.by_key else []

    # ------------------------------------------------------------ what the reader knows

    def equations(self) -> list[Equation]:
        y = self.year
        found: list[Equation] = []
        for year in self.rows("series"):
            found.append(
                self._sum(("series", year, "produced_course_days"), [("series", year, k) for k in KINDS])
            )
        for key in SHARE_TABLES:
            parts = [(key, row, "course_days") for row in self.rows(key)]
            found.append(self._sum((key, "*", "total"), parts))
        for key in PRODUCED_TOTAL:
            found.append(self._same((key, "*", "total"), ("series", y, "produced_course_days")))
        for kind in KINDS:
            found.append(self._same(("provider_type", kind, "course_days"), ("series", y, kind)))
        for key in GROUP_TABLES:
            for column in ("eligible_gps", "gps_with_claims"):
                parts = [(key, row, column) for row in self.rows(key)]
                found.append(self._sum(("participation", y, column), parts))
        for code in self.rows("top_topics"):
            found.append(self._same(("top_topics", code, "course_days"), ("topic_trends", y, str(code))))
        return [equation for equation in found if all(self.has(var) or var[1] == "*" for var in equation)]

    @staticmethod
    def _sum(total: Var, parts: Iterable[Var]) -> Equation:
        equation = {part: Fraction(1) for part in parts}
        equation[total] = Fraction(-1)
        return equation

    @staticmethod
    def _same(a: Var, b: Var) -> Equation:
        return {a: Fraction(1), b: Fraction(-1)}

    def ratios(self) -> list[tuple[Var, Var, Var]]:
        """(a, b, c) with a × b = c."""
        found = []
        for key in ("participation", *GROUP_TABLES):
            for row in self.rows(key):
                found.append(
                    (
                        (key, row, "participation_rate"),
                        (key, row, "eligible_gps"),
                        (key, row, "gps_with_claims"),
                    )
                )
        for year in self.rows("per_gp"):
            found.append(
                (
                    ("per_gp", year, "course_days_per_gp"),
                    ("participation", year, "gps_with_claims"),
                    ("series", year, "produced_course_days"),
                )
            )
        for key in SHARE_TABLES:
            for row in self.rows(key):
                found.append(((key, row, "share"), (key, "*", "total"), (key, row, "course_days")))
        return found

    # ------------------------------------------------------------ working it out

    def recovered(self) -> dict[Var, Fraction]:
        """Every hidden cell the reader can work out, with the value worked out."""
        for key in SHARE_TABLES:  # the total behind the shares, if any visible share tells it
            for row in self.rows(key):
                share, days = self.known.get((key, row, "share")), self.known.get((key, row, "course_days"))
                if share and days is not None:
                    self.known[(key, "*", "total")] = days / share
        progress = True
        while progress:
            progress = self._solve() | self._apply_ratios()
        return {var: value for var, value in self.known.items() if var in self.hidden}

    def _apply_ratios(self) -> bool:
        progress = False
        for a, b, c in self.ratios():
            if not all(var in self.known or var in self.hidden or var[1] == "*" for var in (a, b, c)):
                continue
            ka, kb, kc = (self.known.get(var) for var in (a, b, c))
            if kc is None and ka is not None and kb is not None:
                self.known[c] = ka * kb
            elif kb is None and ka and kc is not None:
                self.known[b] = kc / ka
            elif ka is None and kb and kc is not None:
                self.known[a] = kc / kb
            else:
                continue
            progress = True
        return progress

    def _solve(self) -> bool:
        """Gaussian elimination over the unknowns; True if it determined any."""
        rows: list[dict[Var, Fraction]] = []
        constants: list[Fraction] = []
        for equation in self.equations():
            unknown = {var: coefficient for var, coefficient in equation.items() if var not in self.known}
            if unknown:
                rows.append(unknown)
                constants.append(-sum(c * self.known[v] for v, c in equation.items() if v in self.known))
        determined = _determined(rows, constants)
        self.known |= determined
        return bool(determined)


def _determined(rows: list[dict[Var, Fraction]], constants: list[Fraction]) -> dict[Var, Fraction]:
    """The unknowns the linear system fixes: pivots of the reduced row echelon form whose row has no
    free unknown."""
    variables = sorted({var for row in rows for var in row}, key=repr)
    matrix = [
        [row.get(var, Fraction(0)) for var in variables] + [constant]
        for row, constant in zip(rows, constants, strict=True)
    ]
    pivots: list[int] = []
    line = 0
    for column in range(len(variables)):
        pivot = next((r for r in range(line, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[line], matrix[pivot] = matrix[pivot], matrix[line]
        head = matrix[line][column]
        matrix[line] = [value / head for value in matrix[line]]
        for r in range(len(matrix)):
            if r != line and matrix[r][column] != 0:
                factor = matrix[r][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[line], strict=True)]
        pivots.append(column)
        line += 1
    found = {}
    for r, column in enumerate(pivots):
        if all(matrix[r][c] == 0 for c in range(len(variables)) if c != column):
            found[variables[column]] = matrix[r][-1]
    return found
