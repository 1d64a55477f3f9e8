"""Request ids in responses and logs, JSON log lines, and the metrics endpoint."""

import json
import logging

import pytest
from django.test import override_settings

from kenes.core.observability import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_request_id(client):
    first, second = client.get("/").headers["X-Request-ID"], client.get("/").headers["X-Request-ID"]
    assert first and second and first != second
    assert client.get("/", HTTP_X_REQUEST_ID="lb-1234567890").headers["X-Request-ID"] == "lb-1234567890"
    forged = client.get("/", HTTP_X_REQUEST_ID="<script>alert(1)</script>").headers["X-Request-ID"]
    assert "<" not in forged


def test_log_lines_are_json_with_the_request_id(client, caplog):
    from kenes.core import observability

    token = observability.request_id.set("req-abcdef12")
    try:
        record = logging.LogRecord("kenes.test", logging.WARNING, __file__, 1, "мәселе %s", ("бар",), None)
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        observability.request_id.reset(token)
    assert (
        line["request_id"] == "req-abcdef12"
        and line["message"] == "мәселе бар"
        and line["level"] == "WARNING"
    )


def test_metrics_for_the_monitoring_system_only(client):
    client.get("/")
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    body = response.content.decode()
    assert "kenes_http_requests_total" in body and "kenes_http_request_seconds_bucket" in body
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    with override_settings(KENES_METRICS_TOKEN="s3cret-token"):
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
        assert (
            client.get(
                "/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token", REMOTE_ADDR="10.0.0.5"
            ).status_code
            == 200
        )


def test_metrics_report_the_task_queue(client):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.create(
        status="READY",
        enqueued_at=timezone.now(),
        args_kwargs={"args": [], "kwargs": {}},
        priority=0,
        task_path="kenes.core.tasks.retry_mail",
        queue_name="default",
        backend_name="default",
        worker_ids=[],
    )
    body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'kenes_tasks{status="ready"} 1.0' in body
