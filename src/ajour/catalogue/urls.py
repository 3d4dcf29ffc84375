from django.urls import path

from ajour.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.search, name="search"),
]
