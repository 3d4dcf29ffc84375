from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ajour.demo"
    label = "demo"
    verbose_name = "Demo data"
