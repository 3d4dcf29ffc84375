"""Managed data in the Django administration: SE themes with the years they apply, topics, providers."""

from typing import TYPE_CHECKING

from django.contrib import admin

from ajour.catalogue.models import Provider, SeTheme, Topic

if TYPE_CHECKING:  # ModelAdmin is generic in django-stubs only, not subscriptable at run time
    _SeThemeAdmin = admin.ModelAdmin[SeTheme]
    _TopicAdmin = admin.ModelAdmin[Topic]
    _ProviderAdmin = admin.ModelAdmin[Provider]
else:
    _SeThemeAdmin = _TopicAdmin = _ProviderAdmin = admin.ModelAdmin


@admin.register(SeTheme)
class SeThemeAdmin(_SeThemeAdmin):
    list_display = ["code", "name_da", "days", "first_year", "last_year"]
    list_filter = ["first_year"]
    search_fields = ["code", "name_da", "name_en"]


@admin.register(Topic)
class TopicAdmin(_TopicAdmin):
    list_display = ["code", "name_da", "category", "parent"]
    list_filter = ["category"]
    search_fields = ["code", "name_da", "name_en"]


@admin.register(Provider)
class ProviderAdmin(_ProviderAdmin):
    list_display = ["name", "kind", "region", "email"]
    list_filter = ["kind"]
    search_fields = ["name"]
