"""Danish first, English too; Danish time."""

from django.utils.translation import gettext_lazy as _

from ajour.settings.env import PROJECT_DIR

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [PROJECT_DIR / "src" / "ajour" / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
