from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "ajour.simulator"
    label = "simulator"
    verbose_name = "Policy simulator"
