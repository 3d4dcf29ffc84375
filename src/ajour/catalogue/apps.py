from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "ajour.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue and approval"
