"""Request ids, structured JSON logs and the Prometheus metrics endpoint.

Every request gets an id (the load balancer's ``X-Request-ID`` when it is sane, else a new one),
returned in the response and attached to every log line written while the request runs. With
``KENES_LOG_FORMAT=json`` (the production default) each log line is one JSON object.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

REQUESTS = Counter("kenes_http_requests_total", "HTTP requests answered", ["method", "status"])
LATENCY = Histogram(
    "kenes_http_request_seconds",
    "Time to answer an HTTP request",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        LATENCY.observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, str(response.status_code)).inc()
        response["X-Request-ID"] = rid
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and the exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _task_gauges(registry: CollectorRegistry) -> None:
    """The worker's queue: tasks waiting and tasks that failed, read from the database at scrape time."""
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    waiting = Gauge("kenes_tasks", "Background tasks by status", ["status"], registry=registry)
    for row in DBTaskResult.objects.values("status").annotate(n=Count("pk")):
        waiting.labels(row["status"].lower()).set(row["n"])


def _allowed(request: HttpRequest) -> bool:
    token = settings.KENES_METRICS_TOKEN
    if token:
        return request.headers.get("Authorization", "") == f"Bearer {token}"
    try:
        return ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format: this process's request metrics and the shared task queue."""
    if not _allowed(request):
        return HttpResponseForbidden("metrics are for the monitoring system")
    queue = CollectorRegistry()
    _task_gauges(queue)
    body = generate_latest(DEFAULT_REGISTRY) + generate_latest(queue)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
