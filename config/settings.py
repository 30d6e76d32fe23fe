"""Suyuan settings, read from the environment.

With no environment set, Suyuan runs embedded: SQLite under var/, Celery tasks
run inline, development secrets. DATABASE_URL and CELERY_BROKER_URL switch to
PostgreSQL and a real broker; DJANGO_DEBUG=0 demands real secrets.
"""

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from redis.backoff import NoBackoff
from redis.retry import Retry

from config.env import env_bool, env_float, env_int, env_list, env_secret, env_str

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
    # Failed logins counted per account and per address (api/logins.py).
    "axes",
    "trace.apps.TraceConfig",
    "inspections.apps.InspectionsConfig",
    "labels.apps.LabelsConfig",
    "api.apps.ApiConfig",
    "reports.apps.ReportsConfig",
    "workbench.apps.WorkbenchConfig",
]

MIDDLEWARE = [
    # Counts every response, the 503s and redirects below included.
    "config.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A Redis or database outage is a 503 with Retry-After, not a 500.
    "config.middleware.UnavailableMiddleware",
    # A JSON 413 for an oversized body, before anything reads it.
    "api.request_limits.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # zh-hans unless the user chose otherwise; the browser's locale is not asked.
    "config.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the acting user in the audit trail (DRF sets request.user too).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout answer.
    "axes.middleware.AxesMiddleware",
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
    # Two roles on PostgreSQL: DATABASE_URL is the app's, which owns no table
    # (so TRUNCATE and session_replication_role cannot bypass the triggers);
    # DATABASE_OWNER_URL owns the tables and runs `migrate --database owner`
    # and `db_app_role` (make migrate). Tests mirror it onto default.
    if DATABASE_OWNER_URL := env_str("DATABASE_OWNER_URL"):
        DATABASES["owner"] = {
            **dj_database_url.parse(DATABASE_OWNER_URL, conn_max_age=0),
            "TEST": {"MIRROR": "default"},
        }
    # pgbouncer in transaction mode (deploy/pgbouncer.ini) hands each
    # transaction any server connection: a named (server-side) cursor would
    # not survive to its next fetch. Django's persistent connections to
    # pgbouncer itself are fine (Django docs, transaction pooling).
    if env_bool("DATABASE_POOLED", False):
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # A streaming replica for the read-only pages (trace/replica.py): the
    # reports and exports, the dashboard, the recall trace and the public
    # catalogue. Tests mirror it onto default (the replica replays the test
    # database the primary creates).
    if DATABASE_REPLICA_URL := env_str("DATABASE_REPLICA_URL"):
        DATABASES["replica"] = {
            **dj_database_url.parse(
                DATABASE_REPLICA_URL,
                conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
                conn_health_checks=True,
            ),
            "TEST": {"MIRROR": "default"},
        }
        # A replica that does not answer costs the check a second, not a minute.
        DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
            "SUYUAN_REPLICA_CONNECT_TIMEOUT", 1
        )
        if env_bool("DATABASE_REPLICA_POOLED", False):
            DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASE_ROUTERS = ["trace.replica.ReplicaRouter"]
        # Reads after a write stay on the primary (trace/replica.py).
        MIDDLEWARE.insert(
            MIDDLEWARE.index("config.middleware.UnavailableMiddleware") + 1,
            "config.middleware.ReplicaPinMiddleware",
        )
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
# The read replica (trace/replica.py): past this lag the primary answers;
# the lag is measured at most this often per process; a client that wrote
# reads the primary for this long.
SUYUAN_REPLICA_MAX_LAG_SECONDS = env_float("SUYUAN_REPLICA_MAX_LAG_SECONDS", 10.0)
SUYUAN_REPLICA_CHECK_SECONDS = env_float("SUYUAN_REPLICA_CHECK_SECONDS", 5.0)
SUYUAN_REPLICA_PIN_SECONDS = env_int("SUYUAN_REPLICA_PIN_SECONDS", 10)

if CACHE_URL := env_str("SUYUAN_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # A Redis that does not answer is a 503 within a second or two
            # (config/middleware.py), not a worker stuck on a connect; one retry,
            # no backoff (redis-py's default waits up to 10 s between three).
            "OPTIONS": {
                "socket_connect_timeout": env_float(
                    "SUYUAN_CACHE_CONNECT_TIMEOUT", 1.0
                ),
                "socket_timeout": env_float("SUYUAN_CACHE_TIMEOUT", 2.0),
                "retry": Retry(NoBackoff(), 1),
            },
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
# Files served at the site root by WhiteNoise (/favicon.ico).
WHITENOISE_ROOT = BASE_DIR / "config" / "public"
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

# Every login path (/login/, /admin/login/, the API's token) goes through
# authenticate(), where django-axes counts failures per account and, apart,
# per address: 100 addresses guessing one account's password lock the
# account, one address guessing many accounts locks the address. A locked
# login is answered the same whether the account exists or not; it lifts
# after the cool-off, or at once when an administrator deletes its access
# attempts (admin: Axes › Access attempts, or `manage.py axes_reset_username NAME`).
# NIST SP 800-63B 5.2.2 allows at most 100 consecutive failures; the limit
# and the cool-off are the deployment's to choose.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SUYUAN_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env_int("SUYUAN_LOGIN_LOCKOUT_MINUTES", 30)
)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# The client address as the API's throttles see it (NUM_PROXIES decides).
AXES_CLIENT_IP_CALLABLE = "api.throttling.client_ident"
AXES_LOCKOUT_CALLABLE = "api.logins.lockout_response"
# api/logins.py logs each lockout itself, without the address in clear.
AXES_VERBOSE = False

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
    # JSON with a bound on nesting, and the input policy on every text (api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "api.parsers.FormParser",
        "api.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
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
    # One tag per resource (the first path segment under /api/v1/).
    "SCHEMA_PATH_PREFIX": r"/api/v1/",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_tags",
        "api.schema.chinese_descriptions",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "InspectionKindEnum": "inspections.choices.InspectionKind",
        "AnalyteKindEnum": "inspections.choices.AnalyteKind",
        "AttachmentKindEnum": "inspections.choices.AttachmentKind",
        "HoldReleaseBasisEnum": "inspections.choices.HoldReleaseBasis",
        "SubmissionStatusEnum": "reports.choices.SubmissionStatus",
        "SubmissionBasisEnum": "reports.choices.SubmissionBasis",
        "RegionLevelEnum": "trace.choices.RegionLevel",
        "CatalogueStatusEnum": "trace.choices.CatalogueStatus",
        # Producers and benefit links use these, and so do the 认定 policies' lists.
        "ProducerKindEnum": "trace.choices.ProducerKind",
        "BenefitKindEnum": "trace.choices.BenefitKind",
    },
}

# Celery: with no broker, tasks run inline (embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # An eager task still takes a producer from the pool to serialise its
    # arguments; with no URL kombu warns "No hostname was supplied". The
    # in-process memory transport, host named, connects to nothing.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("SUYUAN_TASK_TIME_LIMIT", 1800)
# Late acks with a short visibility timeout (Redis): a killed worker's
# message is redelivered by any running worker within the timeout plus its
# restore sweep (every 5 s here; Kombu's default sweeps every 100 s), without
# beat. A live long print job is not rendered twice: it
# stamps a heartbeat on its row at least every SUYUAN_PRINT_JOB_HEARTBEAT_SECONDS,
# and a redelivered copy takes over only after SUYUAN_PRINT_JOB_LEASE_SECONDS
# of silence (labels/services.py print_job_claim). Countdowns and retry
# backoffs stay below the visibility timeout.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("SUYUAN_BROKER_VISIBILITY_TIMEOUT", 30),
    "unacked_restore_interval": 5,
    "unacked_restore_throttle": 1,
}
SUYUAN_PRINT_JOB_HEARTBEAT_SECONDS = env_int("SUYUAN_PRINT_JOB_HEARTBEAT_SECONDS", 5)
SUYUAN_PRINT_JOB_LEASE_SECONDS = env_int("SUYUAN_PRINT_JOB_LEASE_SECONDS", 20)
CELERY_TIMEZONE = TIME_ZONE
# Workers by queue (deploy/, make cluster): the scan flush, print jobs,
# imports and reports each have their own queue and workers, so that a
# 100,000-label print job does not delay the scan flush. Anything else
# (the catalogue's and certifications' daily sweeps) goes to "celery".
# A worker for every queue: `celery worker -Q celery,scans,labels,imports,reports`.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "labels.tasks.scan_buffer_flush_task": {"queue": "scans"},
    "labels.tasks.scan_partitions_maintain_task": {"queue": "scans"},
    "labels.tasks.*": {"queue": "labels"},
    "*.tasks.*import*": {"queue": "imports"},
    "reports.tasks.*": {"queue": "reports"},
}
# `celery -A config beat` (optional for print jobs: redelivery re-runs them):
# fail print jobs whose heartbeat stopped and whose message was lost.
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
    # PostgreSQL: scan event partitions made ahead, old ones detached
    # (labels/partitions.py); a no-op on SQLite.
    "scan-partitions-maintain": {
        "task": "labels.tasks.scan_partitions_maintain_task",
        "schedule": env_int("SUYUAN_SCAN_PARTITION_SECONDS", 3600),
    },
    # Records as listed the catalogue entries whose 公示 ended (idempotent;
    # the public catalogue is right by date without it).
    "catalogue-notices-close": {
        "task": "trace.tasks.catalogue_notices_close_task",
        "schedule": env_int("SUYUAN_CATALOGUE_CLOSE_SECONDS", 3600),
    },
    # A benefit link that ends on a later day changes nothing that day: the
    # daily re-check sends its producer to the review queue then (idempotent).
    "certifications-recheck": {
        "task": "trace.tasks.certifications_recheck_task",
        "schedule": env_int("SUYUAN_CERTIFICATION_RECHECK_SECONDS", 86400),
    },
    # A review left undecided past the county's own number of days suspends
    # its certification (CertificationPolicy.review_suspend_after_days).
    "certification-reviews-suspend-overdue": {
        "task": "trace.tasks.certification_reviews_suspend_overdue_task",
        "schedule": env_int("SUYUAN_REVIEW_OVERDUE_SECONDS", 3600),
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
# Clone signals (labels/scans.py): more distinct clients than open a box, or
# as many cities as clients in several cities.
SUYUAN_SCAN_ALERT_CLIENTS = env_int("SUYUAN_SCAN_ALERT_CLIENTS", 20)
SUYUAN_SCAN_ALERT_CITIES = env_int("SUYUAN_SCAN_ALERT_CITIES", 3)
# A client's scans of one label within this window count once: a shopper
# reloading the page, or showing it to the stall keeper, is one scan.
SUYUAN_SCAN_REPEAT_SECONDS = env_int("SUYUAN_SCAN_REPEAT_SECONDS", 6 * 3600)
# Public scan throttles: per client address and per serial (a market stall
# behind one village NAT scans many serials; one serial hammered is abuse).
SUYUAN_SCAN_RATE_PER_CLIENT = env_str("SUYUAN_SCAN_RATE_PER_CLIENT", "120/min")
SUYUAN_SCAN_RATE_PER_SERIAL = env_str("SUYUAN_SCAN_RATE_PER_SERIAL", "30/min")
# How scans are written (labels/scans.py): "sync" (one INSERT + UPDATE in the
# request; the embedded default) or "buffered" (the Redis gate queues them in
# the cache's Redis and scan_buffer_flush writes them in bulk; the
# production choice under load, bench/scan.py).
SUYUAN_SCAN_WRITE_MODE = env_str("SUYUAN_SCAN_WRITE_MODE", "sync")
if SUYUAN_SCAN_WRITE_MODE not in ("sync", "buffered"):
    raise ImproperlyConfigured("SUYUAN_SCAN_WRITE_MODE must be sync or buffered.")
if SUYUAN_SCAN_WRITE_MODE == "buffered" and not CACHE_URL:
    raise ImproperlyConfigured(
        "SUYUAN_SCAN_WRITE_MODE=buffered needs a shared Redis: set SUYUAN_CACHE_URL."
    )
# With buffered scans, how long Redis keeps a label's scan facts
# (labels/scans.py): a season and a bit; an expired label is read from the
# database again on its next scan.
SUYUAN_SCAN_LABEL_CACHE_SECONDS = env_int(
    "SUYUAN_SCAN_LABEL_CACHE_SECONDS", 400 * 86400
)
# Seconds a worker may reuse a batch's public story: a safety net only, since
# the services that change a batch bump its generation (trace/public_cache.py)
# and a new day starts a new story; it bounds what an edit outside the
# services (the admin, raw SQL) leaves stale. Each
# rebuild costs about 16 ms, so with a short TTL a county's hundreds of
# batches keep the workers rebuilding (bench/scan.py).
SUYUAN_SCAN_STORY_CACHE_SECONDS = env_int("SUYUAN_SCAN_STORY_CACHE_SECONDS", 600)
# Scan events on PostgreSQL are partitioned by month (labels/partitions.py):
# months made ahead, and after how many months a partition is detached into
# the scan_archive schema (0: never; the county decides how long it keeps
# scans, docs/deploy.md).
SUYUAN_SCAN_PARTITION_PREMAKE_MONTHS = env_int(
    "SUYUAN_SCAN_PARTITION_PREMAKE_MONTHS", 4
)
SUYUAN_SCAN_PARTITION_RETENTION_MONTHS = env_int(
    "SUYUAN_SCAN_PARTITION_RETENTION_MONTHS", 0
)
# 智能专柜 push (labels/cabinets.py): a signed request older or newer than this
# is refused, so a captured one cannot be replayed later.
SUYUAN_CABINET_REPLAY_SECONDS = env_int("SUYUAN_CABINET_REPLAY_SECONDS", 300)
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
# 扶贫产品目录: days a decision stays in 公示 before the product is listed,
# and how many objections one client may lodge (the API's anonymous
# throttles count per address in the shared cache).
SUYUAN_CATALOGUE_NOTICE_DAYS = env_int("SUYUAN_CATALOGUE_NOTICE_DAYS", 7)
SUYUAN_OBJECTION_RATE = env_str("SUYUAN_OBJECTION_RATE", "5/hour")
# Objections to one catalogue entry from all addresses together: a flood
# from many addresses stops here; the office dismisses duplicates at once.
SUYUAN_OBJECTION_ENTRY_RATE = env_str("SUYUAN_OBJECTION_ENTRY_RATE", "20/day")
# Dates of what happened (harvest, events, sales, samples) may lie at most
# this many days after today (trace/validators.py); none before 2000-01-01.
SUYUAN_DATE_MARGIN_DAYS = env_int("SUYUAN_DATE_MARGIN_DAYS", 1)
# Most result items one inspection may carry (a multi-residue screen lists
# a few dozen analytes; thousands are a mistake or an attack).
SUYUAN_MAX_INSPECTION_RESULTS = env_int("SUYUAN_MAX_INSPECTION_RESULTS", 200)
# Private files (inspection evidence, label sheets) are sent by views that
# check access (trace/files.py). Set to the URL prefix of an nginx
# `internal` location aliased to MEDIA_ROOT (e.g. "/_protected/") to let
# nginx send them (X-Accel-Redirect); empty: Django streams them itself.
SUYUAN_MEDIA_ACCEL_REDIRECT = env_str("SUYUAN_MEDIA_ACCEL_REDIRECT")
# Largest photo or PDF lab report accepted as inspection evidence.
SUYUAN_MAX_UPLOAD_BYTES = env_int("SUYUAN_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Largest photo in pixels, read from its header before anything is decoded
# (trace/uploads.py says why 24 million).
SUYUAN_MAX_IMAGE_PIXELS = env_int("SUYUAN_MAX_IMAGE_PIXELS", 24_000_000)
# A ClamAV daemon every upload is scanned by (unix:///run/clamav/clamd.ctl or
# tcp://host:3310); empty: no scan. When set and not answering, uploads are refused.
SUYUAN_CLAMD_URL = env_str("SUYUAN_CLAMD_URL")
SUYUAN_CLAMD_TIMEOUT = env_float("SUYUAN_CLAMD_TIMEOUT", 30.0)
# Seed of the inspection plan's random share: same seed, same batches picked.
SUYUAN_PLANNING_SEED = env_str("SUYUAN_PLANNING_SEED", "suyuan-planning")
# How long an issued 承诺达标合格证 and its PDF are kept (days).
SUYUAN_CERTIFICATE_RETENTION_DAYS = env_int("SUYUAN_CERTIFICATE_RETENTION_DAYS", 730)
# Most label serials one print job lists in a batch's EPCIS export.
SUYUAN_EPCIS_MAX_EPCS = env_int("SUYUAN_EPCIS_MAX_EPCS", 10_000)
# A TrueType/TTC CJK font embedded (as a subset) in label, certificate and
# form PDFs; by default Debian's fonts-wqy-microhei (.ci/run and the README install
# it). Empty, or a missing file (logged), falls back to the CID font
# STSong-Light, which is not embedded: readers without Chinese fonts show boxes.
SUYUAN_LABEL_FONT = env_str(
    "SUYUAN_LABEL_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
)

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
    # The balancer's probes and the metrics scraper speak plain HTTP to the node.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
