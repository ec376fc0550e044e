"""One settings module, read from the environment (house style: healthchecks).

SQLite under ./var/ by default; set DATABASE_URL=postgres://... for PostgreSQL.
"""

import os
from pathlib import Path

import dj_database_url

from xianfeng.lib.files import make_private

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("XIANFENG_VAR_DIR", Path.cwd() / "var"))
# Everything the server writes (database, keys, uploads, exports) is for its own user only:
# files 0600, directories 0700 (issue 12, problem 14).
os.umask(0o077)
VAR_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)


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
    "xianfeng.supervision",
    "xianfeng.recruitment",
    "xianfeng.dues",
    "xianfeng.bench",
    "xianfeng.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
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
    "xianfeng.core.logs.DenialReasonMiddleware",
    "xianfeng.core.middleware.NoStoreMiddleware",
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
            # Kept between requests as on PostgreSQL: a new connection re-reads the schema
            # and starts with a cold page cache (≈ 6 ms of CPU per request).
            "CONN_MAX_AGE": 60,
            "TEST": {"NAME": None},
        }
    }
# Files made before the umask above (older installs) are narrowed too.
make_private(VAR_DIR, "xianfeng.sqlite3*", "secret_key", "id_keys", "id_hmac_key", "media")
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
# Ten wrong passwords lock one username *from one address* for 15 minutes (never the whole
# address, never the account from everywhere); tries while locked do not extend the lock.
# accounts.throttle adds a per-account delay that counts failures from any address.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，请 15 分钟后再试"
# The client address: REMOTE_ADDR, or X-Forwarded-For only behind this many trusted proxies.
AXES_CLIENT_IP_CALLABLE = "xianfeng.accounts.lockout.client_ip"
XIANFENG_TRUSTED_PROXY_COUNT = int(os.environ.get("XIANFENG_TRUSTED_PROXY_COUNT", "0"))
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
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
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
# A running job holds a lease that its worker's heartbeat renews; a job whose lease has
# expired (its worker died) is marked failed by the next sweep (issue 13; core.jobs).
XIANFENG_JOB_LEASE_SECONDS = int(os.environ.get("XIANFENG_JOB_LEASE_SECONDS", "60"))
XIANFENG_JOB_HEARTBEAT_SECONDS = int(os.environ.get("XIANFENG_JOB_HEARTBEAT_SECONDS", "15"))
XIANFENG_JOB_SWEEP_SECONDS = int(os.environ.get("XIANFENG_JOB_SWEEP_SECONDS", "60"))

# Working memory per sort or hash that a compliance check asks PostgreSQL for (its own
# transaction only); the server default of 4MB makes city-sized grouped reads spill to disk.
XIANFENG_CHECK_WORK_MEM = os.environ.get("XIANFENG_CHECK_WORK_MEM", "64MB")
# Processes a full re-check of the worker is split into (compliance.parallel; 1: none).
XIANFENG_CHECK_JOBS = int(os.environ.get("XIANFENG_CHECK_JOBS", "0")) or os.cpu_count() or 1
# PostgreSQL: the shards are tasks any `xianfeng worker` runs; the coordinator evaluates
# those no worker picked up within the wait (s), and any still unfinished after the limit.
XIANFENG_CHECK_SHARDS_ON_QUEUE = os.environ.get("XIANFENG_CHECK_SHARDS_ON_QUEUE", "") == "1"
XIANFENG_CHECK_SHARD_WAIT = float(os.environ.get("XIANFENG_CHECK_SHARD_WAIT", "10"))
XIANFENG_CHECK_SHARD_LIMIT = float(os.environ.get("XIANFENG_CHECK_SHARD_LIMIT", "600"))
# Answers "this ID number is on file in another org" an account may get per day before it
# may register no more ID numbers that day (issue 12, problem 3; members.id_duplicates).
XIANFENG_ID_DUPLICATE_LIMIT = int(os.environ.get("XIANFENG_ID_DUPLICATE_LIMIT", "10"))

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

# Served over HTTPS (XIANFENG_HTTPS=1): HSTS, cookies only over HTTPS, plain HTTP redirected.
# Behind a reverse proxy that terminates TLS (XIANFENG_TRUSTED_PROXY_COUNT > 0) the proxy's
# X-Forwarded-Proto header says whether the request came in over HTTPS; the proxy must set
# it (overwrite, never pass on the client's).
HTTPS = _env_bool("XIANFENG_HTTPS", False)
if HTTPS:
    SECURE_SSL_REDIRECT = _env_bool("XIANFENG_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("XIANFENG_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("XIANFENG_HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_bool("XIANFENG_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if XIANFENG_TRUSTED_PROXY_COUNT > 0:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from our own
# files only; no inline script, no eval, no inline style. Templates carry no on*= handlers
# or style="" attributes (app.js reads data-confirm / data-progress, app.css has the
# classes), and htmx's indicator styles, which it would inject as an inline <style>, are
# turned off (htmx-config meta tag in base.html: includeIndicatorStyles false) and live in
# app.css. Styles set from JavaScript (Bootstrap, htmx) go through the CSSOM, which
# style-src does not restrict. data: images are Bootstrap's CSS icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Expected denials (403/404) are one line with user, path and reason; 5xx keep tracebacks.
    "filters": {"denials": {"()": "xianfeng.core.logs.DenialFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["denials"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50

# Each app's import sheets (PLAT-03: its `sheets.IMPORTERS`); they run by their `order`,
# ties in the order listed here.
IMPORTERS = [
    "xianfeng.orgs.sheets.IMPORTERS",
    "xianfeng.members.sheets.IMPORTERS",
    "xianfeng.orglife.sheets.IMPORTERS",
    "xianfeng.study.sheets.IMPORTERS",
    "xianfeng.accounts.sheets.IMPORTERS",
    "xianfeng.supervision.sheets.IMPORTERS",
    "xianfeng.recruitment.sheets.IMPORTERS",
    "xianfeng.dues.sheets.IMPORTERS",
    "xianfeng.compliance.sheets.IMPORTERS",
]

# What each app exports (PLAT-03), in the order a workbook of them must be imported.
EXPORTS = [
    "xianfeng.orgs.exports.EXPORTS",
    "xianfeng.members.exports.EXPORTS",
    "xianfeng.members.exports_talents.EXPORTS",  # dual-lead members, tags, discipline
    "xianfeng.orgs.exports.RECORDS_EXPORTS",
    "xianfeng.orglife.exports.EXPORTS",
    "xianfeng.study.exports.EXPORTS",
    "xianfeng.accounts.exports.EXPORTS",
    "xianfeng.supervision.exports.EXPORTS",
    "xianfeng.compliance.exports.EXPORTS",
    # after the policies and their attachments: pairs and targets are checked against them
    "xianfeng.recruitment.exports.EXPORTS",
    "xianfeng.orgs.exports.PREFERENCE_EXPORTS",
    # after the orgs' preferences (a branch's fixed amount for its farmer members):
    # kinds, bases, payments, then the ledger that checks them
    "xianfeng.dues.exports.EXPORTS",
]

# The questions core asks the apps above it (core.hooks; core imports no domain app).
CORE_HOOKS = {
    "scope_roots": "xianfeng.orgs.queries.scope_roots",
    "find_org": "xianfeng.orgs.queries.find_org",
    "export_orgs": "xianfeng.orgs.queries.export_orgs",
    "has_any_post": "xianfeng.accounts.scope.has_any_post",
    "may_import": "xianfeng.accounts.scope.may_write_somewhere",
    "may_unmask": "xianfeng.accounts.permissions.can_view_identifiers",
    "check_id_keys": "xianfeng.members.queries.check_id_keys",
    # the transfer letter's 党费交至 (members sits below dues)
    "dues_paid_until": "xianfeng.dues.ledger.paid_until",
}

# Bench floor queries (`xianfeng bench check`): each app's rule-prefix → plain SQL scans.
BENCH_FLOORS = [
    "xianfeng.members.bench.FLOORS",
    "xianfeng.orgs.bench.FLOORS",
    "xianfeng.orglife.bench.FLOORS",
    "xianfeng.study.bench.FLOORS",
    "xianfeng.supervision.bench.FLOORS",
    "xianfeng.recruitment.bench.FLOORS",
    "xianfeng.dues.bench.FLOORS",
]

# Modules whose compliance rules are registered (PLAT-04).
RULE_MODULES = [
    "xianfeng.orgs.rules",
    "xianfeng.orglife.rules",
    "xianfeng.study.rules",
    "xianfeng.supervision.rules",
    "xianfeng.recruitment.rules",
    "xianfeng.dues.rules",
]

# Modules whose shared facts (compliance.facts: large reads cached once per run) the rules
# consume through ctx.fact(name, **params); each module lists its facts in `FACTS`.
FACT_MODULES = [
    "xianfeng.members.facts",
    "xianfeng.orglife.facts",
    "xianfeng.study.facts",
    "xianfeng.recruitment.facts",
]

# Reminder sources of the daily digest (`xianfeng remind`, notices.digest).
REMINDER_SOURCES = [
    "xianfeng.orglife.reminders.meeting_reminders",
    "xianfeng.orgs.reminders.term_reminders",
    "xianfeng.supervision.domain.rhythm.calendar_reminders",
    "xianfeng.supervision.reminders.item_reminders",
    "xianfeng.recruitment.reminders.recruitment_reminders",
    "xianfeng.dues.reminders.dues_reminders",
]
