from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ajour.web"
    label = "web"
    verbose_name = "Portal"
