"""The settings Ajour runs with everywhere; behaviour differences come from the environment."""

from ajour.settings.base import *  # noqa: F403
from ajour.settings.database import *  # noqa: F403
from ajour.settings.i18n import *  # noqa: F403
from ajour.settings.security import *  # noqa: F403
