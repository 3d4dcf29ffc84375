"""Managed data in the Django administration: SE themes with the years they apply, topics, providers."""

from django.contrib import admin

from ajour.catalogue.models import Provider, SeTheme, Topic


@admin.register(SeTheme)
class SeThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_da", "days", "first_year", "last_year"]
    list_filter = ["first_year"]
    search_fields = ["code", "name_da", "name_en"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["code", "name_da", "category", "parent"]
    list_filter = ["category"]
    search_fields = ["code", "name_da", "name_en"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "email"]
    list_filter = ["kind"]
    search_fields = ["name"]
