from django.urls import path

from ajour.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.public, name="public"),
]
