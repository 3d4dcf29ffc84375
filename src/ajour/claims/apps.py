from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "ajour.claims"
    label = "claims"
    verbose_name = "Claims"
