from django.urls import path

app_name = "claims"
urlpatterns: list[path] = []  # type: ignore[valid-type]
