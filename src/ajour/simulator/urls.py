from django.urls import path

from ajour.simulator import views

app_name = "simulator"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.build, name="build"),
    path("upload/", views.upload, name="upload"),
    path("examples/<slug:name>/run/", views.run_example, name="run_example"),
    path("compare/", views.compare, name="compare"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/rerun/", views.rerun, name="rerun"),
    path("<uuid:public_id>/claims/", views.claim_list, name="claims"),
    path("<uuid:public_id>/export.<str:file_type>", views.export, name="export"),
    path("<uuid:public_id>/brief.pdf", views.brief, name="brief"),
    path("<uuid:public_id>/reform.yaml", views.reform_file, name="reform_file"),
]
