"""JSON API of the stats app (mounted under /api/v1/stats/): the public, suppressed tables."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from pydantic import WithJsonSchema

from ajour.catalogue.models import Provider
from ajour.core.api_errors import ApiError
from ajour.core.schemas import ErrorOut
from ajour.stats.forms import FIRST_YEAR, LAST_YEAR, FilterForm
from ajour.stats.models import Form
from ajour.stats.selectors import Filters
from ajour.stats.suppression import MIN_CELL_GPS
from ajour.stats.tables import TABLE_KEYS, Table, headline_row, published_tables

router = Router(tags=["stats"])


CODE = {"type": "string", "maxLength": 50, "pattern": "^[-a-zA-Z0-9_]*$"}


class FilterQuery(Schema):
    """The filters of the statistics pages; an empty value means all. The choices are checked like the
    pages' filter form does: a year outside the range, an unknown code or choice is a 400."""

    year: Annotated[
        int | None,
        WithJsonSchema({"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}),
    ] = Field(None, description="Default: the latest complete year")
    region: Annotated[str, WithJsonSchema(CODE)] = Field("", description="Region code, e.g. `hovedstaden`")
    provider_type: Annotated[str, WithJsonSchema({"type": "string", "enum": ["", *Provider.Kind.values]})] = (
        ""
    )
    form: Annotated[str, WithJsonSchema({"type": "string", "enum": ["", *Form.values]})] = ""
    topic: Annotated[str, WithJsonSchema(CODE)] = Field("", description="Topic code")


class ColumnOut(Schema):
    key: str
    label: str
    kind: str


class TableOut(Schema):
    key: str
    title: str
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]
    suppressed_rows: int
    min_cell_gps: int = MIN_CELL_GPS


def _filters(query: FilterQuery) -> Filters:
    form = FilterForm({k: v for k, v in query.dict().items() if v not in (None, "")})
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ApiError(400, str(errors[0]), field=field)
    return form.filters()


def _out(table: Table) -> TableOut:
    return TableOut(
        key=table.key,
        title=str(table.title),
        columns=[ColumnOut(key=c.key, label=str(c.label), kind=c.kind) for c in table.columns],
        rows=table.rows,
        suppressed_rows=table.suppressed,
    )


@router.get(
    "/tables",
    response={200: list[TableOut], 400: ErrorOut},
    summary="All statistics tables",
)
def tables(request: HttpRequest, query: Query[FilterQuery]) -> list[TableOut]:
    """Every published table for a year and filters. Figures describing fewer than 5 GPs, and figures
    from which one could be worked out (a lone hidden part of a total), are null and their rows carry
    `suppressed: true`. Rates are fractions (0.874), course days are days, money is integer øre."""
    return [_out(table) for table in published_tables(_filters(query))]


@router.get(
    "/tables/{measure}",
    response={200: TableOut, 400: ErrorOut, 404: ErrorOut},
    summary="One statistics table",
)
def table(
    request: HttpRequest,
    measure: Path[Annotated[str, WithJsonSchema({"type": "string", "enum": TABLE_KEYS})]],
    query: Query[FilterQuery],
) -> TableOut:
    """One table by key: participation, provider_type, form, category, region, top_topics, series,
    topic_trends, per_gp, money, participation_region, participation_sex, participation_practice_size."""
    if measure not in TABLE_KEYS:
        raise ApiError(404, f"Unknown measure: {measure}", field="measure")
    return _out(next(t for t in published_tables(_filters(query)) if t.key == measure))


@router.get(
    "/headline",
    response={200: dict[str, Any], 400: ErrorOut},
    summary="Headline figures of a year",
)
def headline(request: HttpRequest, query: Query[FilterQuery]) -> dict[str, Any]:
    """Eligible GPs, GPs with claims, participation rates, produced course days and days per GP."""
    filters = _filters(query)
    return headline_row(published_tables(filters), filters.year)
