"""Top-level URL map: the portal, the JSON API and the health check."""

from django.contrib import admin
from django.urls import include, path

from ajour.api import api
from ajour.web import views as web_views

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", web_views.set_language, name="set_language"),
    path("", include("ajour.web.urls")),
    path("claims/", include("ajour.claims.urls")),
    path("accounts/", include("ajour.accounts.urls")),
    path("catalogue/", include("ajour.catalogue.urls")),
    path("stats/", include("ajour.stats.urls")),
    path("simulator/", include("ajour.simulator.urls")),
]

handler400 = "ajour.web.views.bad_request"
handler403 = "ajour.web.views.permission_denied"
handler404 = "ajour.web.views.page_not_found"
handler500 = "ajour.web.views.server_error"
