from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ajour.web"
    label = "web"
    verbose_name = "Portal"

    def ready(self) -> None:
        from ajour.web import checks  # noqa: F401  (registers the deployment checks)
