"""Test settings: the production composition with plain HTTP and fast password hashing."""

import os

os.environ.setdefault("AJOUR_SECURE", "0")
os.environ.setdefault("AJOUR_DEMO", "1")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from ajour.settings.production import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the apps, so tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Retries of undelivered mail do not pause in tests.
AJOUR_MAIL_RETRY_SECONDS = (0, 0)
