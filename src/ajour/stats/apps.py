from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "ajour.stats"
    label = "stats"
    verbose_name = "Statistics"
