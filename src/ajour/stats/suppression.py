"""Which published figures to hide: primary suppression, then secondary (complementary) suppression.

Pure Python: `ajour.stats.tables.suppress` describes the tables of one filter as figures and margins,
asks `hidden_figures` and blanks what it returns, for pages, exports, the API and the PDF alike.

- A **figure** is one published quantity (the produced course days of PLO-E in 2024); it may stand in
  several tables (the provider-type table and the yearly series), and is hidden everywhere at once.
- **Primary**: a figure that describes fewer than `MIN_CELL_GPS` GPs is hidden. A figure whose values
  are all zero describes nobody and stays.
- **Secondary**: a margin is a set of parts that add up to a total the reader sees (a total row
  elsewhere, or the total behind the shares a table shows). A margin with exactly one hidden part would
  give that part away by subtraction, so the smallest visible part (fewest GPs, then smallest value) is
  hidden too; a hidden total with every part visible is the sum of its parts, so again the smallest part
  is hidden; and a table with shares gives its total away while any part shows. This repeats over every
  margin of every table until none gives a hidden figure away, since hiding one figure can leave another
  margin it belongs to with a lone hidden part.
- A figure computed from others (course days per GP from the participation and the produced days) is
  hidden whenever one of them is.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

MIN_CELL_GPS = 5

Figure = tuple[Hashable, ...]
"""A published quantity, e.g. `("produced", 2024, "plo_e")`."""


@dataclass(frozen=True)
class Cell:
    """Where a figure stands in a table: its row, the columns it fills (a value and its share, or a
    participation row's counts and rates), the distinct GPs it describes, the figures it is computed from."""

    figure: Figure
    row: int
    columns: tuple[str, ...]
    gps: int
    needs: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class Margin:
    """Figures that add up to `total` (a published figure, or None when no figure shows the total);
    `shares` when each part is shown with its share of the total, which gives the total away."""

    parts: tuple[Figure, ...]
    total: Figure | None = None
    shares: bool = False


@dataclass(frozen=True)
class Shown:
    """A figure as the tables would show it: the GPs it describes, its size, whether it is all zeros."""

    gps: int
    size: float
    empty: bool


def hidden_figures(
    shown: Mapping[Figure, Shown], margins: Iterable[Margin], needs: Mapping[Figure, Iterable[Figure]]
) -> set[Figure]:
    """The figures to hide: small ones, then complements until no margin gives one away."""
    hidden = {figure for figure, seen in shown.items() if seen.gps < MIN_CELL_GPS and not seen.empty}
    margins = list(margins)
    changed = True
    while changed:
        changed = False
        for figure, sources in needs.items():
            if figure not in hidden and not hidden.isdisjoint(sources):
                hidden.add(figure)
                changed = True
        for margin in margins:
            complement = _complement(margin, shown, hidden)
            if complement is not None:
                hidden.add(complement)
                changed = True
    return hidden


def _complement(margin: Margin, shown: Mapping[Figure, Shown], hidden: set[Figure]) -> Figure | None:
    """The figure to hide next so that `margin` gives no hidden figure away, or None."""
    parts = [part for part in margin.parts if part in shown]
    lone = [part for part in parts if part in hidden]
    visible = [part for part in parts if part not in hidden]
    total = margin.total if margin.total in shown else None
    total_hidden = total is not None and total in hidden
    telling = [part for part in visible if not shown[part].empty]  # a share of zero tells nothing
    total_known = (total is not None and not total_hidden) or (margin.shares and bool(telling))
    if len(lone) == 1 and total_known or total_hidden and not lone:
        if visible:
            return min(visible, key=lambda part: (shown[part].empty, shown[part].gps, shown[part].size))
        if total is not None and not total_hidden:
            return total
    if total_hidden and margin.shares and telling:
        return min(telling, key=lambda part: (shown[part].gps, shown[part].size))
    return None
