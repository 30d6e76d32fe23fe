"""Suyuan settings, read from the environment.

With no environment set, Suyuan runs embedded: SQLite under var/, Celery tasks
run inline, development secrets. DATABASE_URL and CELERY_BROKER_URL switch to
PostgreSQL and a real broker; DJANGO_DEBUG=0 demands real secrets.
"""

from pathlib import Path

import dj_database_url

from config.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SUYUAN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_secret(
    "DJANGO_SECRET_KEY",
    debug=DEBUG,
    development_default="django-insecure-development-only-suyuan-key-not-for-production",
)
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "trace.apps.TraceConfig",
    "inspections.apps.InspectionsConfig",
    "labels.apps.LabelsConfig",
    "api.apps.ApiConfig",
    "reports.apps.ReportsConfig",
    "workbench.apps.WorkbenchConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Sends a public scan's Redis call now; the view reads the answer.
    "api.middleware.ScanGateEarlyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the acting user in the audit trail (DRF sets request.user too).
    "simple_history.middleware.HistoryRequestMiddleware",
]

# Benchmarks swap in bench.urls (config.urls plus a constant view); never set in production.
ROOT_URLCONF = env_str("DJANGO_ROOT_URLCONF", "config.urls")
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Persistent connections with health checks: without them a scan page on
# PostgreSQL drops from ~1,050 to ~150 requests/s (research/performance-anchors.md).
if DATABASE_URL := env_str("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "suyuan.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if CACHE_URL := env_str("SUYUAN_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("SUYUAN_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("SUYUAN_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/w/"
LOGOUT_REDIRECT_URL = "/"

# Request bodies: JSON/form data held in memory, and uploads before they
# spill to a temporary file (evidence files have SUYUAN_MAX_UPLOAD_BYTES).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# The audit trail is read-only in the admin: no "revert to this version".
SIMPLE_HISTORY_REVERT_DISABLED = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default; the public views name their own permission explicitly.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "NUM_PROXIES": env_int("SUYUAN_NUM_PROXIES", 0),
    # Per-role request limits; the public scan has its own (api/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonymousThrottle",
        "api.throttling.UserThrottle",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Suyuan 溯源 API",
    "DESCRIPTION": "消费扶贫产品追溯、质检与二维码标签系统的 API。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "InspectionKindEnum": "inspections.choices.InspectionKind",
        "AnalyteKindEnum": "inspections.choices.AnalyteKind",
        "AttachmentKindEnum": "inspections.choices.AttachmentKind",
    },
}

# Celery: with no broker, tasks run inline (embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("SUYUAN_TASK_TIME_LIMIT", 1800)
# Redelivery after the visibility timeout must never overtake a running task.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int(
        "SUYUAN_BROKER_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT * 2
    )
}
CELERY_TIMEZONE = TIME_ZONE
# `celery -A config beat`: fail print jobs whose worker died mid-render.
CELERY_BEAT_SCHEDULE = {
    "print-jobs-fail-stale": {
        "task": "labels.tasks.print_jobs_fail_stale_task",
        "schedule": env_int("SUYUAN_STALE_SWEEP_SECONDS", 300),
    },
    # Only does work with SUYUAN_SCAN_WRITE_MODE=buffered; a no-op otherwise.
    "scan-buffer-flush": {
        "task": "labels.tasks.scan_buffer_flush_task",
        "schedule": env_int("SUYUAN_SCAN_FLUSH_SECONDS", 5),
    },
}

# Suyuan
SUYUAN_PUBLIC_BASE_URL = env_str(
    "SUYUAN_PUBLIC_BASE_URL", "http://127.0.0.1:8000"
).rstrip("/")
# Who runs the GS1 resolver (/.well-known/gs1resolver's contact), e.g. the county office.
SUYUAN_RESOLVER_OPERATOR = env_str("SUYUAN_RESOLVER_OPERATOR", "")
SUYUAN_MIN_HOUSEHOLD_INCOME = env_int("SUYUAN_MIN_HOUSEHOLD_INCOME", 6000)
# Fernet keys for household ID numbers, newest first; older keys still decrypt
# until `rotate_id_number_key` has re-encrypted every row.
SUYUAN_ID_NUMBER_KEYS = env_list("SUYUAN_ID_NUMBER_KEYS") or [
    env_secret(
        "SUYUAN_ID_NUMBER_KEYS",
        debug=DEBUG,
        development_default="xeWEVswJamiHd6BmoZNVYg6XZiOCx7rJzEIx6LvKknQ=",
    )
]
# Key of the blind index (HMAC) that finds duplicate ID numbers without decrypting.
SUYUAN_ID_NUMBER_INDEX_KEY = env_secret(
    "SUYUAN_ID_NUMBER_INDEX_KEY",
    debug=DEBUG,
    development_default="development-id-number-index-key",
)
SUYUAN_SERIAL_KEY = env_secret(
    "SUYUAN_SERIAL_KEY", debug=DEBUG, development_default="development-label-serial-key"
)
# Clone signals: more scans than a box is opened, or scans in several cities.
SUYUAN_SCAN_ALERT_COUNT = env_int("SUYUAN_SCAN_ALERT_COUNT", 20)
SUYUAN_SCAN_ALERT_CITIES = env_int("SUYUAN_SCAN_ALERT_CITIES", 3)
# Public scan throttles: per client address and per serial (a market stall
# behind one village NAT scans many serials; one serial hammered is abuse).
SUYUAN_SCAN_RATE_PER_CLIENT = env_str("SUYUAN_SCAN_RATE_PER_CLIENT", "120/min")
SUYUAN_SCAN_RATE_PER_SERIAL = env_str("SUYUAN_SCAN_RATE_PER_SERIAL", "30/min")
# How scans are written: "sync" (one INSERT + UPDATE in the request) or
# "buffered" (queued in Redis, written in bulk by scan_buffer_flush; the
# production choice under load, bench/scan.py).
SUYUAN_SCAN_WRITE_MODE = env_str("SUYUAN_SCAN_WRITE_MODE", "sync")
SUYUAN_SCAN_BUFFER_URL = env_str("SUYUAN_SCAN_BUFFER_URL", CACHE_URL or "")
# With buffered scans, how long Redis keeps a label's scan facts
# (labels/scan_cache.py): a season and a bit; an expired label is read from
# the database again on its next scan.
SUYUAN_SCAN_LABEL_CACHE_SECONDS = env_int(
    "SUYUAN_SCAN_LABEL_CACHE_SECONDS", 400 * 86400
)
# Seconds a worker may reuse a batch's public story: a safety net only, since
# changes invalidate it at once and a new day starts a new story. Each
# rebuild costs about 16 ms, so with a short TTL a county's hundreds of
# batches keep the workers rebuilding (bench/scan.py).
SUYUAN_SCAN_STORY_CACHE_SECONDS = env_int("SUYUAN_SCAN_STORY_CACHE_SECONDS", 3600)
# Processes that encode QR codes for one large print job (labels/rendering.py);
# 2 on a 2-core host. A Celery prefork child cannot start them (it encodes
# in-process), so run the print-job queue with `-P threads` or `-P solo` to use them.
SUYUAN_LABEL_RENDER_WORKERS = env_int("SUYUAN_LABEL_RENDER_WORKERS", 2)
# A job of more labels is delivered as a zip of PDFs of this many (whole sheets).
SUYUAN_LABEL_PART_SIZE = env_int("SUYUAN_LABEL_PART_SIZE", 5000)
SUYUAN_MAX_LABELS_PER_JOB = env_int("SUYUAN_MAX_LABELS_PER_JOB", 100_000)
# Labels one producer may queue per day (all its print jobs together).
SUYUAN_PRINT_JOB_DAILY_QUOTA = env_int("SUYUAN_PRINT_JOB_DAILY_QUOTA", 200_000)
# API request limits per role: anonymous clients and signed-in users.
SUYUAN_API_RATE_ANONYMOUS = env_str("SUYUAN_API_RATE_ANONYMOUS", "60/min")
SUYUAN_API_RATE_USER = env_str("SUYUAN_API_RATE_USER", "1200/min")
SUYUAN_API_RATES_PER_ROLE = {
    "operator": env_str("SUYUAN_API_RATE_OPERATOR", "600/min"),
    "inspector": env_str("SUYUAN_API_RATE_INSPECTOR", "1200/min"),
    "administrator": env_str("SUYUAN_API_RATE_ADMINISTRATOR", "3000/min"),
}
# Largest photo or PDF lab report accepted as inspection evidence.
SUYUAN_MAX_UPLOAD_BYTES = env_int("SUYUAN_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Seed of the inspection plan's random share: same seed, same batches picked.
SUYUAN_PLANNING_SEED = env_str("SUYUAN_PLANNING_SEED", "suyuan-planning")
# How long an issued 承诺达标合格证 and its PDF are kept (days).
SUYUAN_CERTIFICATE_RETENTION_DAYS = env_int("SUYUAN_CERTIFICATE_RETENTION_DAYS", 730)
# Most label serials one print job lists in a batch's EPCIS export.
SUYUAN_EPCIS_MAX_EPCS = env_int("SUYUAN_EPCIS_MAX_EPCS", 10_000)
# A TrueType/TTC CJK font to embed (subset) in label PDFs; empty: the non-embedded CID font STSong-Light.
SUYUAN_LABEL_FONT = env_str("SUYUAN_LABEL_FONT")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("SUYUAN_LOG_LEVEL", "INFO")},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
