"""gunicorn's configuration for the catalog's web processes (``gunicorn -c python:ops.gunicorn_conf``).

Everything comes from the environment, as the settings do (docs/configuration.md, «Эксплуатация»):
``SERVE_BIND`` (default ``127.0.0.1:$PORT``, port 8000), ``WEB_WORKERS`` (processes, default CPUs + 1),
``WEB_THREADS`` (threads per process, default 4), ``WEB_TIMEOUT`` (seconds a request may take, default 120).
No Django is imported here: the master process only forks the workers, each of which loads the application.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import multiprocess

bind = os.environ.get("SERVE_BIND") or f"127.0.0.1:{os.environ.get('PORT') or 8000}"
workers = int(os.environ.get("WEB_WORKERS") or (os.cpu_count() or 1) + 1)
# Threads: a worker waiting on the search engine, the database or S3 serves other requests meanwhile.
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS") or 4)
# The longest legitimate request: an upload of UPLOAD_MAX_SIZE (100 MiB) or an inline bulk request; nginx's
# proxy_read_timeout in deploy/nginx/catalog.conf is set above it.
timeout = int(os.environ.get("WEB_TIMEOUT") or 120)
graceful_timeout = 30
keepalive = 5
# Workers are not recycled: each keeps the database backend's facet copy (docs/operations.md, «Память»).
max_requests = 0
# X-Forwarded-Proto (https behind nginx) is believed only from the proxies the application believes.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES") or "127.0.0.1,::1"
# One JSON line per request is written by the application (ops.requests); gunicorn's own is off.
accesslog = None
errorlog = "-"
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - heartbeat files, not data
proc_name = "catalog-web"

if (os.environ.get("LOG_FORMAT") or "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "ops.logs.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    }


def child_exit(server: Any, worker: Any) -> None:
    """A worker's live gauges go with it (prometheus_client's multiprocess mode); its counters stay counted."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
