"""One settings module, driven by environment variables with embedded defaults.

Every variable is listed in docs/configuration.md. Nothing here talks to a service: settings are read once,
validated, and bad values raise ImproperlyConfigured at start-up rather than on the first request.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as e:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from e


# `make serve`, the systemd units and any real deployment say DEPLOYMENT=production: then DEBUG is off by
# default and the settings refuse to start with anything only fit for a developer's machine.
DEPLOYMENT = os.environ.get("DEPLOYMENT", "development")
if DEPLOYMENT not in {"development", "production"}:
    raise ImproperlyConfigured(f"DEPLOYMENT must be development or production, got {DEPLOYMENT!r}")
PRODUCTION = DEPLOYMENT == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)
DEVELOPMENT_SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 - development default only
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEPLOYMENT=production: DEBUG must be false (it shows tracebacks to anyone)")
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "DEPLOYMENT=production: SECRET_KEY must be a secret of at least 32 characters, not the development key"
        )
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("DEPLOYMENT=production: ALLOWED_HOSTS must name the catalog's hosts, not '*'")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Without it, the address `make run` serves (PORT, as the Makefile's runserver uses it).
CATALOG_BASE_URL = os.environ.get("CATALOG_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}").rstrip(
    "/"
)

INSTALLED_APPS = [
    "content_repo.curriculum",
    "content_repo.vocabularies",
    "content_repo.publishers",
    "content_repo.resources",
    "content_repo.alignment",
    "content_repo.collections",
    "content_repo.api",
    "content_repo.exchange",
    "search",
    "importers",
    "storage",
    "ops",
    "portal",
    "wagtail.contrib.forms",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI from the project's own static files: /api/v1/docs/ works offline
    "corsheaders",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # Request id, one log line and the metrics of every request; answers /healthz, /readyz and /metrics before
    # any other layer (no host check, session or quota for a probe). See ops/ and docs/operations.md.
    "ops.middleware.ObservabilityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # No HTML error page or traceback under /api/, no 500 for a busy database anywhere (content_repo/api).
    "content_repo.api.middleware.ErrorBoundaryMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (admin, API docs, the teachers' site) from the application server itself, with DEBUG off too.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "content_repo.urls"
WSGI_APPLICATION = "content_repo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "content_repo" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'catalog.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
# How long a write waits for a lock before it answers 503 with Retry-After (docs/operations.md).
DATABASE_LOCK_TIMEOUT = env_int("DATABASE_LOCK_TIMEOUT", 20)
# A read-only database (a replica, a restore in progress): reads keep working, writes answer 503.
DATABASE_READ_ONLY = env_bool("DATABASE_READ_ONLY", False)
_database_options = DATABASES["default"].setdefault("OPTIONS", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers at once: WAL lets readers go on while one writes; IMMEDIATE makes every transaction
    # take the write lock at BEGIN, so it waits up to the busy timeout for it instead of failing at once
    # with "database is locked" when a read transaction would have to upgrade to a write.
    _database_options.update(
        {
            "timeout": DATABASE_LOCK_TIMEOUT,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-catalog.sqlite3")}
    if DATABASE_READ_ONLY:
        # Opened read-only, as a file on read-only media would be; the journal mode cannot be switched then.
        DATABASES["default"]["NAME"] = f"file:{DATABASES['default']['NAME']}?mode=ro"
        _database_options["init_command"] = "PRAGMA query_only=ON;"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A server that does not answer fails a request (and /readyz) in seconds, not after the system's TCP timeout.
    _database_options.setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5))
    _server_options = [_database_options.get("options", ""), f"-c lock_timeout={DATABASE_LOCK_TIMEOUT}s"]
    if DATABASE_READ_ONLY:
        _server_options.append("-c default_transaction_read_only=on")
    _database_options["options"] = " ".join(option for option in _server_options if option)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "ru"
# Russian whatever the browser asks for: with English here an English browser got Wagtail's admin in English.
LANGUAGES = [("ru", "Русский")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("ru", "Русский")]
# Wagtail's admin strings reworded for the catalog (content_repo/locale/ru/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "content_repo" / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Files: local folder by default, any S3 API when STORAGE_BACKEND=s3 (see storage/ and docs/configuration.md).
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
_default_storage: dict[str, Any]
if STORAGE_BACKEND == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("S3_BUCKET", ""),
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": True,
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,
        },
    }
    if not _default_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs S3_BUCKET")
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'local' or 's3', got {STORAGE_BACKEND!r}")
STORAGES = {
    "default": _default_storage,
    # In production `serve` runs collectstatic: names carry a content hash (cached for a year by browsers and
    # proxies) and a gzip copy sits beside each file. Elsewhere files are served from the apps as they are.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
# A template naming a file that is not there gets its plain name (a 404 for that file), not a 500 for the page.
WHITENOISE_MANIFEST_STRICT = False

# Search: the database backend is the embedded default (see search/ and docs/search.md).
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "database")
SEARCH_URL = os.environ.get("SEARCH_URL", "")
SEARCH_INDEX_PREFIX = os.environ.get("SEARCH_INDEX_PREFIX", "catalog")
SEARCH_BACKENDS = {
    "default": {"BACKEND": SEARCH_BACKEND, "URL": SEARCH_URL, "INDEX_PREFIX": SEARCH_INDEX_PREFIX},
    "database": {"BACKEND": "database"},
}

WAGTAIL_SITE_NAME = "Каталог образовательных ресурсов"
WAGTAILADMIN_BASE_URL = CATALOG_BASE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "pptx", "xlsx", "odt", "ods", "odp", "epub", "txt"]
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_USER_LOGIN_FORM = "content_repo.resources.admin_forms.LoginForm"
# No avatars from gravatar.com: the admin works offline and sends nobody's e-mail hash abroad.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILIMAGES_MAX_IMAGE_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)

_IMMEDIATE_TASKS = "django_tasks.backends.immediate.ImmediateBackend"
TASKS_BACKEND = os.environ.get("TASKS_BACKEND") or _IMMEDIATE_TASKS
# Webhook delivery must never run inside a request, which the immediate backend would do. Without a worker
# process it runs in a few threads of the web process ("thread"); with a real queue, through its worker.
WEBHOOKS_DELIVERY = os.environ.get("WEBHOOKS_DELIVERY") or ("thread" if TASKS_BACKEND == _IMMEDIATE_TASKS else "worker")
if WEBHOOKS_DELIVERY not in {"thread", "worker"}:
    raise ImproperlyConfigured(f"WEBHOOKS_DELIVERY must be thread or worker, got {WEBHOOKS_DELIVERY!r}")
if WEBHOOKS_DELIVERY == "worker" and TASKS_BACKEND == _IMMEDIATE_TASKS:
    raise ImproperlyConfigured("WEBHOOKS_DELIVERY=worker needs a TASKS_BACKEND with a worker process")
WEBHOOKS_TASK_BACKEND = "webhooks" if WEBHOOKS_DELIVERY == "thread" else "default"
WEBHOOKS_THREADS = env_int("WEBHOOKS_THREADS", 2)
# Large vendor bulk requests are loaded after the request answers 202: in a thread of the web process without a
# worker (one at a time: SQLite has one writer anyway), through the task queue's worker with one.
BACKGROUND_TASK_BACKEND = "background" if TASKS_BACKEND == _IMMEDIATE_TASKS else "default"
TASKS = {
    "default": {"BACKEND": TASKS_BACKEND},
    "webhooks": {
        "BACKEND": "content_repo.tasks_backend.ThreadBackend",
        "OPTIONS": {"THREADS": WEBHOOKS_THREADS, "COALESCE": True},
    },
    "background": {"BACKEND": "content_repo.tasks_backend.ThreadBackend", "OPTIONS": {"THREADS": 1}},
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["content_repo.api.parsers.CatalogJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_PAGINATION_CLASS": "content_repo.api.pagination.CatalogCursorPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "content_repo.api.errors.problem_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Каталог образовательных ресурсов — API v1",
    "DESCRIPTION": "Открытый API национального каталога образовательных ресурсов для школ России.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"

# Logs: one JSON object a line in production (a request id on every line, also in the tasks a request
# enqueued), Russian lines for a person in development. ops/logs.py; docs/operations.md.
LOG_FORMAT = os.environ.get("LOG_FORMAT") or ("json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "ops.logs.JsonFormatter"},
        "text": {"()": "ops.logs.RussianFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-tasks logs every task at INFO; ops.tasks writes one line per task instead.
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        # runserver's own request lines: ops.requests writes one per request, with its id.
        "django.server": {"level": "WARNING"},
        # Django's "Not Found: …" warnings repeat what the request line says; errors (5xx, tracebacks) stay.
        "django.request": {"level": "ERROR"},
        # One line per request of a harvest or a webhook attempt is noise in `make run`; their outcomes are logged.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
    },
}

# Shared between the processes of one machine: the anonymous quota counts in the cache, and each web worker
# counting alone would let a client through N times the rate. `locmem` is right only for one process (make run).
CACHE_BACKEND = os.environ.get("CACHE_BACKEND") or ("file" if PRODUCTION else "locmem")
_CACHE_BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "file": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("CACHE_LOCATION") or str(VAR_DIR / "cache"),
    },
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": os.environ.get("CACHE_LOCATION") or "catalog_cache",
    },
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ.get("CACHE_LOCATION")},
}
if CACHE_BACKEND not in _CACHE_BACKENDS:
    raise ImproperlyConfigured(f"CACHE_BACKEND must be one of {', '.join(_CACHE_BACKENDS)}, got {CACHE_BACKEND!r}")
if CACHE_BACKEND == "redis" and not os.environ.get("CACHE_LOCATION"):
    raise ImproperlyConfigured("CACHE_BACKEND=redis needs CACHE_LOCATION (redis://host:6379/0)")
CACHES = {"default": _CACHE_BACKENDS[CACHE_BACKEND]}

# --- Operations: probes, metrics, the production stack (ops/; docs/operations.md) ---
# /metrics: with a token, only with `Authorization: Bearer <token>`; without one, only to a client on this
# machine that did not come through a proxy (a proxied request carries X-Forwarded-For).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# Seconds /readyz waits for the search engine and the file storage before naming them as failed.
READYZ_TIMEOUT = float(os.environ.get("READYZ_TIMEOUT") or 2)
# Production session and CSRF cookies travel over HTTPS only; false for a deployment on plain HTTP (a LAN).
_secure_cookies = env_bool("SECURE_COOKIES", PRODUCTION)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _secure_cookies

# --- Intake: items per transaction of vendor bulk requests and spreadsheets (docs/intake.md) ---
INTAKE_BATCH_SIZE = env_int("INTAKE_BATCH_SIZE", 500)
if INTAKE_BATCH_SIZE < 1:
    raise ImproperlyConfigured("INTAKE_BATCH_SIZE must be positive")

# --- Importers (harvest engine; see importers/conf.py and docs/configuration.md, «Сбор данных») ---
IMPORTERS = {
    "BATCH_SIZE": env_int("IMPORTERS_BATCH_SIZE", 500),
    "WITHDRAW_MAX_SHARE": float(os.environ.get("IMPORTERS_WITHDRAW_MAX_SHARE") or 0.2),
    "USER_AGENT": os.environ.get("IMPORTERS_USER_AGENT", "EduCatalogBot/0.1 (+https://catalog.example/bot)"),
    # Seconds; importers/conf.py converts and checks it, so a bad value is a clear ImproperlyConfigured.
    "REQUEST_DEADLINE": os.environ.get("IMPORTERS_REQUEST_DEADLINE", "30"),
}

# --- Files: upload limits and admin image validation (storage/, docs/storage.md) ---
STORAGE_POLICY = {
    "API_UPLOAD_MAX_SIZE": env_int("UPLOAD_MAX_SIZE", 100 * 1024 * 1024),
    "API_UPLOAD_MAX_FILES": env_int("UPLOAD_MAX_FILES", 20),
    "PRESIGNED_URL_EXPIRY": env_int("UPLOAD_URL_EXPIRY", 3600),
    "DOWNLOAD_URL_EXPIRY": env_int("DOWNLOAD_URL_EXPIRY", 300),
}
WAGTAILIMAGES_IMAGE_FORM_BASE = "storage.forms.CoverImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "storage.forms.AttachmentDocumentForm"

# --- Search: indexing and the development node (search/, docs/search.md) ---
# An engine without SEARCH_URL is the development node of `make search-node` (127.0.0.1:9200).
if SEARCH_BACKEND in {"opensearch", "elasticsearch"} and not SEARCH_URL:
    SEARCH_BACKENDS["default"]["URL"] = "http://127.0.0.1:9200"
SEARCH_BACKENDS["default"]["TIMEOUT"] = os.environ.get("SEARCH_TIMEOUT", "10")  # seconds, for the engines
# Index resources after commit when they are published, unpublished, changed while live or deleted.
SEARCH_AUTO_INDEX = env_bool("SEARCH_AUTO_INDEX", True)

# --- Curriculum alignment (content_repo/alignment, docs/alignment.md) ---
# The intake suggests topics for every batch it loads; off, `manage.py suggest_alignments` does it later.
ALIGNMENT_SUGGEST_ON_INTAKE = env_bool("ALIGNMENT_SUGGEST_ON_INTAKE", True)

# --- API v1: keys, quotas, content negotiation, webhooks (content_repo/api; docs/api.md, docs/configuration.md)
REST_FRAMEWORK |= {
    "DEFAULT_AUTHENTICATION_CLASSES": ["content_repo.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_THROTTLE_CLASSES": [
        "content_repo.api.throttling.AnonymousRateThrottle",
        "content_repo.api.throttling.ApiKeyQuotaThrottle",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "content_repo.api.renderers.CatalogContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "content_repo.api.schema.CatalogAutoSchema",
    # The anonymous quota reads the client address from TRUSTED_PROXIES (throttling.client_address); any
    # other DRF throttle must not believe X-Forwarded-For either.
    "NUM_PROXIES": 0,
}
SPECTACULAR_SETTINGS |= {
    "PREPROCESSING_HOOKS": ["content_repo.api.schema.only_api_v1"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "content_repo.api.schema.database_independent_integers",
        "content_repo.api.schema.precise_request_bodies",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AlignmentTypeEnum": "content_repo.resources.models.Alignment.Type",
        "PartKindEnum": "content_repo.resources.models.ResourcePart.Kind",
        "ResourceStatusEnum": "content_repo.resources.models.Resource.Status",
        "TopicKindEnum": "content_repo.curriculum.models.Topic.Kind",
        "WebhookEventEnum": "content_repo.api.models.WebhookSubscription.Event",
    },
}
API_ANONYMOUS_RATE = os.environ.get("API_ANONYMOUS_RATE", "300/hour")
_rate_count, _, _rate_period = API_ANONYMOUS_RATE.partition("/")
if not _rate_count.isdigit() or _rate_period[:1] not in {"s", "m", "h", "d"}:
    raise ImproperlyConfigured(f"API_ANONYMOUS_RATE must look like 300/hour, got {API_ANONYMOUS_RATE!r}")
API_KEY_DEFAULT_QUOTA = env_int("API_KEY_DEFAULT_QUOTA", 5000)
# Proxies whose X-Forwarded-For is believed (addresses or networks); anyone else's header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as e:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network") from e
# Request bodies read into memory (JSON bodies of the API, form fields of the admin); larger ones are a 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("REQUEST_MAX_BODY_BYTES", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
API_BULK_MAX_ITEMS = env_int("API_BULK_MAX_ITEMS", 50000)
# A bulk request of more lines than this answers 202 with a status URL and is loaded in the background.
API_BULK_INLINE_MAX_LINES = env_int("API_BULK_INLINE_MAX_LINES", 100)
API_BULK_MAX_BYTES = env_int("API_BULK_MAX_BYTES", 20 * 1024 * 1024)
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)
WEBHOOKS_MAX_ATTEMPTS = env_int("WEBHOOKS_MAX_ATTEMPTS", 8)
WEBHOOKS_ATTEMPT_DEADLINE = env_int("WEBHOOKS_ATTEMPT_DEADLINE", 10)  # seconds for a whole attempt
WEBHOOKS_RESPONSE_MAX_BYTES = env_int("WEBHOOKS_RESPONSE_MAX_BYTES", 4096)
WEBHOOKS_CIRCUIT_FAILURES = env_int("WEBHOOKS_CIRCUIT_FAILURES", 5)
WEBHOOKS_CIRCUIT_COOLDOWN = env_int("WEBHOOKS_CIRCUIT_COOLDOWN", 600)  # seconds
for _name in (
    "WEBHOOKS_MAX_ATTEMPTS",
    "WEBHOOKS_ATTEMPT_DEADLINE",
    "WEBHOOKS_RESPONSE_MAX_BYTES",
    "WEBHOOKS_CIRCUIT_FAILURES",
    "WEBHOOKS_CIRCUIT_COOLDOWN",
    "WEBHOOKS_THREADS",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be a positive integer")

# --- Open exchange: OAI-PMH provider, CASE, dumps (content_repo/exchange/conf.py checks them; docs/exchange.md) ---
EXCHANGE = {
    "OAI_REPOSITORY_NAME": os.environ.get("OAI_REPOSITORY_NAME", ""),
    "OAI_REPOSITORY_ID": os.environ.get("OAI_REPOSITORY_ID", ""),
    "OAI_ADMIN_EMAIL": os.environ.get("OAI_ADMIN_EMAIL", ""),
    "OAI_PAGE_SIZE": env_int("OAI_PAGE_SIZE", 100),
    "OAI_TOKEN_TTL": env_int("OAI_TOKEN_TTL", 24 * 3600),
    "DUMPS_KEEP": env_int("DUMPS_KEEP", 3),
}
