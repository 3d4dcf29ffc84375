"""Thin pages of the policy simulator: scenarios, the reform builder, results, the claims behind a
figure, exports, the PDF brief and the side-by-side comparison.

Every page needs `permissions.can_simulate`; the claims behind a figure and unsuppressed figures need
`permissions.can_see_claims` (the secretariat). Running takes seconds on the national data and is done
while the page waits; the results are kept in the scenario, so opening it again reads nothing else.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ajour.accounts.http import request_user
from ajour.accounts.models import User
from ajour.core.forms import render_form_page
from ajour.core.permissions import require
from ajour.rules import ParameterSet, parameter_table
from ajour.rules.reforms import SWITCHES, Reform, ReformError, parse_reform, shipped_reforms
from ajour.simulator import permissions, selectors, services
from ajour.simulator.display import language, note_text, reform_label
from ajour.simulator.forms import (
    UNIT_HINTS,
    CompareForm,
    OverrideFormSet,
    ReformForm,
    RunForm,
    UploadForm,
    display_value,
    initial_for,
    reform_error_field,
)
from ajour.simulator.models import Scenario
from ajour.simulator.results import OUTCOMES, TITLES, ClaimRow, claims_behind, for_reader, row_label, tables
from ajour.stats.charts import chart_items, chart_spec, chart_svg
from ajour.stats.exports import table_csv, table_parquet
from ajour.stats.report import pdf_of
from ajour.stats.suppression import MIN_CELL_GPS
from ajour.stats.tables import Table, suppress

EXPORT_TYPES = {
    "csv": ("text/csv; charset=utf-8", table_csv),
    "parquet": ("application/vnd.apache.parquet", table_parquet),
}
PAGE_SIZE = 100
BRIEF_CHARTS = ("stream", "region", "role", "gp_difference")


def _simulating_user(request: HttpRequest) -> User:
    user = request_user(request)
    require(permissions.can_simulate(user))
    return user


def _scenario(public_id: UUID) -> Scenario:
    found = selectors.scenario(public_id=public_id)
    if found is None:
        raise Http404
    return found


def _years() -> list[int]:
    return selectors.claim_years()


def _default_year(years: list[int]) -> int | None:
    """The year before the newest with claims (its claims can all have been filed), else the newest."""
    return years[1] if len(years) > 1 else (years[0] if years else None)


# --- the list and the examples -------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _simulating_user(request)
    return _index(request)


def _index(
    request: HttpRequest,
    *,
    run_form: tuple[str, RunForm] | None = None,
    upload_form: UploadForm | None = None,
) -> HttpResponse:
    """The scenarios and the examples; with a form that was sent with errors, the page shows them (400)."""
    years = _years()
    initial = {"year": _default_year(years)}
    page = Paginator(selectors.scenarios(), 50).get_page(request.GET.get("page"))
    return render_form_page(
        request,
        "simulator/index.html",
        {
            "page": page,
            "examples": [
                (
                    reform,
                    run_form[1]
                    if run_form and run_form[0] == reform.name
                    else RunForm(initial=initial, years=years, prefix=reform.name),
                )
                for reform in shipped_reforms().values()
            ],
            "refused_run": run_form[1] if run_form else None,  # marks the page refused (400)
            "upload_form": upload_form or UploadForm(initial=initial, years=years),
            "lang": language(),
        },
    )


def _run(user: User, reform: Reform, year: int, mode: str) -> Scenario | str:
    """The saved scenario, or the error to show (a year without claims, a date outside the data)."""
    try:
        return services.save_scenario(author=user, reform=reform, year=year, mode=mode)
    except services.SimulationError as error:
        return error.message
    except ReformError as error:
        return f"{error.key}: {error.message(language())}"


@login_required
@require_POST
def run_example(request: HttpRequest, name: str) -> HttpResponse:
    user = _simulating_user(request)
    reform = shipped_reforms().get(name)
    if reform is None:
        raise Http404
    form = RunForm(request.POST, years=_years(), prefix=name)
    if not form.is_valid():
        return _index(request, run_form=(name, form))
    scenario = _run(user, reform, form.cleaned_data["year"], form.cleaned_data["mode"])
    if isinstance(scenario, str):
        return _error(request, scenario)
    return redirect("simulator:detail", public_id=scenario.public_id)


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    user = _simulating_user(request)
    form = UploadForm(request.POST, request.FILES, years=_years())
    if not form.is_valid():
        return _index(request, upload_form=form)
    scenario = _run(
        user, form.cleaned_data["reform_file"], form.cleaned_data["year"], form.cleaned_data["mode"]
    )
    if isinstance(scenario, str):
        return _error(request, scenario)
    return redirect("simulator:detail", public_id=scenario.public_id)


def _error(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/error.html", {"message": message, "status": 400}, status=400)


@login_required
@require_POST
def rerun(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The scenario's reform, year and mode run again on the records as they are now (a new scenario)."""
    user = _simulating_user(request)
    scenario = _scenario(public_id)
    found = _run(user, parse_reform(scenario.reform), scenario.year, scenario.mode)
    if isinstance(found, str):
        return _error(request, found)
    return redirect("simulator:detail", public_id=found.public_id)


# --- the builder -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def build(request: HttpRequest) -> HttpResponse:
    """Pick parameters from the table in force, set values and dates, switch rules off; run and save."""
    user = _simulating_user(request)
    years = _years()
    if request.method == "POST":
        form = ReformForm(request.POST, years=years)
        changes = OverrideFormSet(request.POST, prefix="changes")
        if "add_change" in request.POST:
            return _builder(request, form, _with_one_more_row(request, changes))
        error = ""
        if form.is_valid() and changes.is_valid():
            overrides = [entry for row in changes.forms if (entry := row.entry()) is not None]
            try:
                reform = parse_reform(form.document(overrides))
            except ReformError as problem:
                error = _place(problem, changes)
            else:
                found = _run(user, reform, form.cleaned_data["year"], form.cleaned_data["mode"])
                if isinstance(found, Scenario):
                    return redirect("simulator:detail", public_id=found.public_id)
                error = found
        return _builder(request, form, changes, error=error, status=400)
    fields, rows = _initial(request)
    fields.setdefault("year", _default_year(years))
    form = ReformForm(initial=fields, years=years)
    changes = OverrideFormSet(initial=rows or None, prefix="changes")
    return _builder(request, form, changes)


def _initial(request: HttpRequest) -> tuple[dict[str, object], list[dict[str, object]]]:
    """The builder filled from an example (`?example=name`) or a saved scenario (`?from=id`)."""
    example = shipped_reforms().get(request.GET.get("example", ""))
    if example is not None:
        return initial_for(example)
    try:
        source = selectors.scenario(public_id=UUID(request.GET.get("from", "")))
    except ValueError:
        source = None
    if source is not None:
        fields, rows = initial_for(parse_reform(source.reform))
        return {**fields, "year": source.year, "mode": source.mode}, rows
    return {"version": 1}, []


def _with_one_more_row(request: HttpRequest, changes: Any) -> Any:
    data = request.POST.copy()
    data["changes-TOTAL_FORMS"] = str(min(int(data.get("changes-TOTAL_FORMS", "1") or 1) + 1, 40))
    return OverrideFormSet(data, prefix="changes")


def _place(problem: ReformError, changes: Any) -> str:
    """Puts a reform error on the change row it is about; returns the message if it is about no row."""
    row, field = reform_error_field(problem)
    filled = [form for form in changes.forms if form.cleaned_data.get("parameter")]
    if row is not None and field is not None and row < len(filled):
        filled[row].add_error(field, problem.message(language()))
        return ""
    return problem.message(language())


def _builder(
    request: HttpRequest, form: ReformForm, changes: Any, *, error: str = "", status: int = 200
) -> HttpResponse:
    english = language() == "en"
    table = [
        {
            "name": row.name,
            "label": row.label_en if english else row.label_da,
            "value": display_value(row.unit, row.value),
            "unit": UNIT_HINTS[row.unit],
            "valid_from": row.valid_from,
        }
        for row in parameter_table(timezone.localdate(), ParameterSet.default())
    ]
    return render_form_page(
        request,
        "simulator/build.html",
        {
            "form": form,
            "changes": changes,
            "error": error,
            "parameters": table,
            "examples": shipped_reforms(),
        },
        refused=status == 400,
    )


# --- results ------------------------------------------------------------------------------------------------


def _tables_for(user: User, scenario: Scenario) -> list[Table]:
    """The scenario's tables; suppressed below 5 GPs unless the reader may see the claims behind them."""
    found = tables(scenario.results)
    if permissions.can_see_claims(user):
        return found
    return suppress(found)


def _headline(user: User, results: dict[str, Any]) -> dict[str, Any]:
    """The totals; a count of fewer than 5 GPs is hidden outside the secretariat."""
    totals: dict[str, Any] = for_reader(results, unsuppressed=bool(permissions.can_see_claims(user)))[
        "totals"
    ]
    return totals


@login_required
@require_GET
def detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = _simulating_user(request)
    scenario = _scenario(public_id)
    found = _tables_for(user, scenario)
    lang = language()
    reform = parse_reform(scenario.reform)
    return render(
        request,
        "simulator/detail.html",
        {
            "scenario": scenario,
            "results": scenario.results,
            "label": reform_label(scenario.results),
            "reform": reform,
            "overrides": _override_rows(reform),
            "switches": [(s, _switch_label(s.switch)) for s in reform.switches],
            "description": reform.description(lang),
            "totals": _headline(user, scenario.results),
            "notes": [note_text(note) for note in scenario.results["notes"]],
            "charts": chart_items(found, language=lang),
            "may_see_claims": bool(permissions.can_see_claims(user)),
            "stale": scenario.snapshot != selectors.snapshot(),
            "share_url": request.build_absolute_uri(reverse("simulator:detail", args=[scenario.public_id])),
            "others": selectors.scenarios().exclude(pk=scenario.pk).filter(year=scenario.year)[:30],
            "min_cell_gps": MIN_CELL_GPS,
        },
    )


def _override_rows(reform: Reform) -> list[dict[str, object]]:
    parameters = ParameterSet.default().parameters
    english = language() == "en"
    return [
        {
            "name": o.parameter,
            "label": parameters[o.parameter].label_en if english else parameters[o.parameter].label_da,
            "valid_from": o.valid_from,
            "value": display_value(parameters[o.parameter].unit, o.value),
            "unit": UNIT_HINTS[parameters[o.parameter].unit],
        }
        for o in reform.overrides
    ]


def _switch_label(name: str) -> str:
    return SWITCHES[name].label(language())


@login_required
@require_GET
def claim_list(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The claims behind one row of a table (the secretariat only)."""
    user = _simulating_user(request)
    require(permissions.can_see_claims(user))
    scenario = _scenario(public_id)
    table, key = request.GET.get("table", ""), request.GET.get("row", "")
    rows = claims_behind((ClaimRow.from_list(values) for values in scenario.claim_rows), table=table, key=key)
    if rows is None:
        return _error(request, _("Choose a table and a row of the scenario."))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    claims = selectors.claims_by_id([row["id"] for row in page])
    return render(
        request,
        "simulator/claims.html",
        {
            "scenario": scenario,
            "title": TITLES.get(table, table),
            "row": row_label(table, key),
            "table": table,
            "key": key,
            "page": page,
            "lines": [
                (row, claims.get(row["id"]), OUTCOMES[row["today_outcome"]], OUTCOMES[row["reform_outcome"]])
                for row in page
            ],
        },
    )


@login_required
@require_GET
def export(request: HttpRequest, public_id: UUID, file_type: str) -> HttpResponse:
    """One table as CSV or Parquet, always suppressed: files leave the portal."""
    _simulating_user(request)
    scenario = _scenario(public_id)
    table = next((t for t in suppress(tables(scenario.results)) if t.key == request.GET.get("table")), None)
    if file_type not in EXPORT_TYPES or table is None:
        return _error(request, _("Choose a table of the scenario and CSV or Parquet."))
    content_type, write = EXPORT_TYPES[file_type]
    response = HttpResponse(write(table), content_type=content_type)
    name = f"ajour-simulation-{scenario.reform_name}-{scenario.year}-{table.key}.{file_type}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def reform_file(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _simulating_user(request)
    scenario = _scenario(public_id)
    response = HttpResponse(
        parse_reform(scenario.reform).yaml(), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{scenario.reform_name}.yaml"'
    return response


@login_required
@require_GET
def brief(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A short PDF brief with charts, suppressed (a file leaves the portal), in the reader's language."""
    _simulating_user(request)
    scenario = _scenario(public_id)
    lang = language()
    found = suppress(tables(scenario.results))
    charts = [
        (table, chart_svg(chart_spec(table, language=lang))) for table in found if table.key in BRIEF_CHARTS
    ]
    reform = parse_reform(scenario.reform)
    totals = for_reader(scenario.results, unsuppressed=False)["totals"]
    html = render_to_string(
        "simulator/brief.html",
        {
            "scenario": scenario,
            "label": reform_label(scenario.results),
            "description": reform.description(lang),
            "overrides": _override_rows(reform),
            "switches": [_switch_label(s.switch) for s in reform.switches if not s.on],
            "totals": totals,
            "notes": [note_text(note) for note in scenario.results["notes"]],
            "charts": charts,
            "tables": [table for table in found if table.key not in BRIEF_CHARTS],
            "lang": lang,
        },
    )
    response = HttpResponse(pdf_of(html), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="ajour-simulation-{scenario.reform_name}-{scenario.year}.pdf"'
    )
    return response


@login_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """Two scenarios side by side with today."""
    user = _simulating_user(request)
    if "a" not in request.GET:
        return render(request, "simulator/choose.html", {"scenarios": selectors.scenarios()[:100]})
    form = CompareForm(request.GET)
    if not form.is_valid():
        return _error(request, _("Choose two scenarios to compare."))
    first = _scenario(form.cleaned_data["a"])
    second = selectors.scenario(public_id=form.cleaned_data["b"]) if form.cleaned_data["b"] else None
    if form.cleaned_data["b"] and second is None:
        raise Http404
    chosen = [s for s in (first, second) if s is not None]
    return render(
        request,
        "simulator/compare.html",
        {
            "scenarios": [(s, reform_label(s.results), _headline(user, s.results)) for s in chosen],
            "today": _headline(user, first.results),
            "same_year": len({s.year for s in chosen}) == 1,
            "streams": _stream_rows(chosen),
            "others": selectors.scenarios().exclude(pk=first.pk).filter(year=first.year)[:30],
            "first": first,
        },
    )


def _stream_rows(chosen: list[Scenario]) -> list[dict[str, object]]:
    """Cost by stream: today (from the first scenario) and under each reform."""
    rows = []
    for index, row in enumerate(chosen[0].results["breakdowns"]["stream"]):
        reforms = [s.results["breakdowns"]["stream"][index]["reform_ore"] for s in chosen]
        rows.append({"label": row_label("stream", row["key"]), "today": row["today_ore"], "reforms": reforms})
    return rows
