"""Gunicorn settings for the portal: ``gunicorn -c gunicorn.conf.py 'portal:create_app()'``.

Every value can be changed with the environment (``GUNICORN_BIND``, ``GUNICORN_WORKERS``...),
so one file serves a container, a plain server and the benchmark.
"""

from __future__ import annotations

import gc
import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Sync workers measured faster than gthread for these server-rendered pages (see README).
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# No control socket: it lives at one path per user, which two servers on a machine would share.
control_socket_disable = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker: Any) -> None:
    """Move everything built at start-up out of the collector's sight.

    The app, its templates' modules and SQLAlchemy's mappers are long-lived; without this, each
    full collection walks them again and shows as 20-30 ms spikes at p99.
    """
    gc.collect()
    gc.freeze()
