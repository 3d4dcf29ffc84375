"""Core Django settings: apps, middleware, templates, static files, tasks."""

from ajour.settings.env import DATA_DIR, env_bool, env_list

DEBUG = env_bool("AJOUR_DEBUG", False)
AJOUR_DEMO = env_bool("AJOUR_DEMO", False)
ALLOWED_HOSTS = env_list("AJOUR_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ajour.web",
    "ajour.accounts",
    "ajour.catalogue",
    "ajour.claims",
    "ajour.groups",
    "ajour.stats",
    "ajour.simulator",
    "ajour.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "ajour.web.middleware.ApiRequestMiddleware",
    "django.middleware.common.CommonMiddleware",
    "ajour.web.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ajour.web.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "ajour.urls"
WSGI_APPLICATION = "ajour.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:front"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ajour.web.context_processors.ajour",
            ],
        },
    },
]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded receipts and contracts live outside the web root and are served only through views
# that check the user's right to the object.
MEDIA_ROOT = DATA_DIR / "uploads"
# Receipts, contracts and attendance files are at most AJOUR_UPLOAD_MAX_BYTES. The first upload handler
# stops reading a request as soon as its declared length or a file's streamed bytes pass that limit, so
# an accepted file always fits in memory. Form fields and JSON bodies (programmes, typed IDs, API
# requests) are text of a few kilobytes: 1 MB leaves ample room and bounds what a request can make
# the server hold.
AJOUR_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "ajour.accounts.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = AJOUR_UPLOAD_MAX_BYTES
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Demo and debug mail goes to files in AJOUR_DATA_DIR/mail (one per connection, readable by the server's
# account only), never to the console: the server log would otherwise hold doctors' names and addresses.
EMAIL_BACKEND = (
    "ajour.core.mail.PrivateFileBackend"
    if AJOUR_DEMO or DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = "Ajour <noreply@ajour.invalid>"
EMAIL_TIMEOUT = 10  # seconds; mail is sent in the request after commit, so a dead server must not hang it
# Pauses (seconds) before the second and third attempt at a message the mail server did not take.
AJOUR_MAIL_RETRY_SECONDS = (1, 4)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"ajour": {"level": "INFO"}},
}
