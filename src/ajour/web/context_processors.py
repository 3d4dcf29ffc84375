"""Values every template needs."""

from django.conf import settings
from django.http import HttpRequest

from ajour import __version__


def ajour(request: HttpRequest) -> dict[str, object]:
    return {"AJOUR_DEMO": settings.AJOUR_DEMO, "AJOUR_VERSION": __version__}
