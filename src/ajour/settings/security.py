"""Secrets, cookies, HTTPS and the Content-Security-Policy. Secure unless told otherwise."""

import secrets

from django.core.exceptions import ImproperlyConfigured

from ajour.settings.base import AJOUR_DEMO, DEBUG
from ajour.settings.env import DATA_DIR, env_bool, env_list, env_str


def _secret_key() -> str:
    key = env_str("SECRET_KEY", "")
    if key:
        return key
    if not (DEBUG or AJOUR_DEMO):
        raise ImproperlyConfigured("SECRET_KEY must be set outside demo and debug mode.")
    # Demo and development: one random key per data directory, kept across restarts.
    path = DATA_DIR / "secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

# AJOUR_SECURE=0 is for plain-HTTP local runs (make run, tests); production keeps the default.
AJOUR_SECURE = env_bool("AJOUR_SECURE", True)
SESSION_COOKIE_SECURE = AJOUR_SECURE
CSRF_COOKIE_SECURE = AJOUR_SECURE
SECURE_SSL_REDIRECT = AJOUR_SECURE
SECURE_HSTS_SECONDS = 31_536_000 if AJOUR_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = AJOUR_SECURE
SECURE_HSTS_PRELOAD = AJOUR_SECURE
# X-Forwarded-Proto is believed only behind a proxy that sets it (and drops a client's own): any client
# can send the header, and a believed lie turns a plain-HTTP request into a "secure" one.
AJOUR_BEHIND_PROXY = env_bool("AJOUR_BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if AJOUR_BEHIND_PROXY else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env_list("AJOUR_CSRF_TRUSTED_ORIGINS", [])
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
