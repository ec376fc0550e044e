"""One settings module, read from the environment (house style: healthchecks).

SQLite under ./var/ by default; set DATABASE_URL=postgres://... for PostgreSQL.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("XIANFENG_VAR_DIR", Path.cwd() / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def _secret(name: str, filename: str) -> str:
    """Secret from the environment, else a file under var/ created on first use."""
    if os.environ.get(name):
        return os.environ[name]
    import secrets

    from xianfeng.lib.files import create_once

    return create_once(VAR_DIR / filename, secrets.token_urlsafe(50)).strip()


SECRET_KEY = _secret("SECRET_KEY", "secret_key")
# Keys for ID-number encryption (Fernet, comma-separated, newest first) and lookup HMAC.
ID_NUMBER_KEYS = os.environ.get("XIANFENG_ID_KEYS", "")
ID_NUMBER_HMAC_KEY = _secret("XIANFENG_ID_HMAC_KEY", "id_hmac_key")
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "simple_history",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "ninja",
    "xianfeng.core",
    "xianfeng.accounts",
    "xianfeng.orgs",
    "xianfeng.members",
    "xianfeng.compliance",
    "xianfeng.notices",
    "xianfeng.orglife",
    "xianfeng.study",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xianfeng.core.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xianfeng.accounts.middleware.ForcePasswordChangeMiddleware",
    "xianfeng.core.middleware.ActorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xianfeng.urls"
WSGI_APPLICATION = "xianfeng.wsgi.application"

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
                "xianfeng.core.context_processors.navigation",
            ],
        },
    }
]

_SQLITE_OPTIONS = {
    # temp_store: sorts and groupings in memory (a city's check groups millions of rows)
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;",
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
}
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "xianfeng.sqlite3"),
            "OPTIONS": _SQLITE_OPTIONS,
            "TEST": {"NAME": None},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_ENABLED = _env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Working memory per sort or hash that a compliance check asks PostgreSQL for (its own
# transaction only); the server default of 4MB makes city-sized grouped reads spill to disk.
XIANFENG_CHECK_WORK_MEM = os.environ.get("XIANFENG_CHECK_WORK_MEM", "64MB")

# E-mail of notices: sent only when a mail server is named (XIANFENG_EMAIL_HOST).
EMAIL_HOST = os.environ.get("XIANFENG_EMAIL_HOST", os.environ.get("EMAIL_HOST", ""))
EMAIL_PORT = int(os.environ.get("XIANFENG_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("XIANFENG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("XIANFENG_EMAIL_PASSWORD", "")
if not EMAIL_HOST_PASSWORD and os.environ.get("XIANFENG_EMAIL_PASSWORD_FILE"):
    EMAIL_HOST_PASSWORD = Path(os.environ["XIANFENG_EMAIL_PASSWORD_FILE"]).read_text().strip()
EMAIL_USE_TLS = _env_bool("XIANFENG_EMAIL_TLS", False)
EMAIL_USE_SSL = _env_bool("XIANFENG_EMAIL_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("XIANFENG_EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("XIANFENG_EMAIL_FROM", "xianfeng@localhost")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
# Where the site is reached (e.g. https://djgz.example.gov.cn): makes links in e-mails absolute.
SITE_URL = os.environ.get("XIANFENG_SITE_URL", "").rstrip("/")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50

# Kinds of records the import reads (PLAT-03), in the order they are written.
IMPORTERS = [
    "xianfeng.orgs.importers.OrgImporter",
    "xianfeng.members.importers.MemberImporter",
    "xianfeng.orgs.importers_support.SeatImporter",
    "xianfeng.orgs.importers_support.TermImporter",
    "xianfeng.orgs.importers_support.ContactPointImporter",
    "xianfeng.orgs.importers_support.VisitImporter",
    "xianfeng.orgs.importers_support.VenueImporter",
    "xianfeng.orgs.importers_support.StaffImporter",
    "xianfeng.orgs.importers_support.BudgetImporter",
    "xianfeng.orgs.importers_support.SpendingImporter",
    "xianfeng.orglife.importers.MeetingImporter",
    "xianfeng.orglife.importers.AttendanceImporter",
    "xianfeng.study.importers.StudyRecordImporter",
    "xianfeng.orglife.importers.AffairsImporter",
]

# Modules whose compliance rules are registered (PLAT-04).
RULE_MODULES = [
    "xianfeng.orgs.rules",
    "xianfeng.orglife.rules",
    "xianfeng.study.rules",
]
