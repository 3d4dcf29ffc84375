from django.urls import path

from ajour.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.public, name="public"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("export.<str:file_type>", views.export, name="export"),
    path("report.pdf", views.report, name="report"),
    path("under-participation/", views.rare_participants, name="under_participation"),
]
