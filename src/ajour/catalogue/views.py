"""Catalogue pages: public search over approved activity instances."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ajour.catalogue.selectors import search_instances


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    instances = search_instances(query=query, from_date=date.today())
    return render(request, "catalogue/search.html", {"query": query, "instances": instances})
