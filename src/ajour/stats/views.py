"""Statistics pages: the public national page (suppressed), the dashboard, exports, report, lists.

Thin views: parse with a form, authorise through `permissions`, call selectors, render.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ajour.accounts.models import Region, User
from ajour.core.permissions import require
from ajour.stats import permissions
from ajour.stats.charts import chart_items
from ajour.stats.exports import table_csv, table_parquet
from ajour.stats.forms import ExportForm, FilterForm, YearForm
from ajour.stats.report import render_report
from ajour.stats.selectors import refreshed_at, under_participating_practices, under_participation
from ajour.stats.tables import build_tables, headline_row, published_tables

EXPORT_TYPES = {
    "csv": ("text/csv; charset=utf-8", table_csv),
    "parquet": ("application/vnd.apache.parquet", table_parquet),
}


def _refused(request: HttpRequest, template: str, form: YearForm) -> HttpResponse:
    """The page with the filter's error beside its field and no figures (a 400)."""
    return render(request, template, {"form": form, "year": None, "charts": []}, status=400)


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    form = YearForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _refused(request, "stats/public.html", form)
    filters = form.filters()
    tables = published_tables(filters)
    return render(
        request,
        "stats/public.html",
        {
            "form": form,
            "year": filters.year,
            "headline": headline_row(tables, filters.year),
            "charts": chart_items(tables, language=get_language() or "da"),
            "export_query": f"year={filters.year}",
            "refreshed_at": refreshed_at(),
        },
    )


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    require(permissions.can_view_dashboard(request.user))
    form = FilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _refused(request, "stats/dashboard.html", form)
    filters = form.filters()
    tables = build_tables(filters)
    return render(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "year": filters.year,
            "filters": filters,
            "export_query": request.GET.urlencode() or f"year={filters.year}",
            "refreshed_at": refreshed_at(),
            "headline": headline_row(tables, filters.year),
            "charts": chart_items(tables, language=get_language() or "da"),
        },
    )


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/error.html", {"message": message, "status": 400}, status=400)


@require_GET
def export(request: HttpRequest, file_type: str) -> HttpResponse:
    """One measure as CSV or Parquet, always suppressed: files leave the portal."""
    form = ExportForm(request.GET)
    if file_type not in EXPORT_TYPES:
        return _bad_request(request, _("Statistics are exported as CSV or Parquet."))
    if not form.is_valid():
        return _bad_request(request, form.error_text())
    filters = form.filters()
    table = next(t for t in published_tables(filters) if t.key == form.cleaned_data["measure"])
    content_type, write = EXPORT_TYPES[file_type]
    response = HttpResponse(write(table), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="ajour-{table.key}-{filters.year}.{file_type}"'
    return response


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    require(permissions.can_view_dashboard(request.user))
    form = YearForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _bad_request(request, form.error_text())
    year = form.filters().year
    response = HttpResponse(render_report(year=year), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ajour-aarsrapport-{year}.pdf"'
    return response


@require_GET
def rare_participants(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters = form.filters()
    user = request.user
    region = filters.region or (user.region.code if isinstance(user, User) and user.region else "")
    require(permissions.can_view_under_participation(user, region=region))
    return render(
        request,
        "stats/under_participation.html",
        {
            "form": form,
            "year": filters.year,
            "region": Region.objects.filter(code=region).first(),
            "doctors": under_participation(year=filters.year, region=region),
            "practices": under_participating_practices(year=filters.year, region=region),
        },
    )
