"""Public statistics pages."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ajour.stats.selectors import participation


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    year = date.today().year - 1
    return render(request, "stats/public.html", {"participation": participation(year=year)})
