"""Open-data exports of recommendations and their accountability metrics (CSV, XLSX, JSON).

The column names are stable machine keys, documented in docs/metrics.md ("Exports"); every figure
comes from ``metrics`` through the same selectors as the public pages, so a file and its page agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.urls import reverse

from kenes.core.tabular import write_csv, write_xlsx

from . import metrics
from .models import Dispatch
from .selectors import PeriodChoice, ScopeMetrics, Scoreboard

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}

DISPATCH_HEADERS = [
    "dispatch_id",
    "recommendation_id",
    "recommendation_title",
    "council_code",
    "council_name",
    "body_code",
    "body_name",
    "body_level",
    "body_kind",
    "body_region_code",
    "redirected_from_dispatch_id",
    "sent_on",
    "due_working_days",
    "due_on",
    "long_overdue_on",
    "paused_since",
    "answered_on",
    "answered_on_time",
    "answer",
    "working_days_taken",
    "url",
]


def dispatch_rows(dispatches: QuerySet[Dispatch]) -> Iterator[list]:
    site = settings.KENES_SITE_URL.rstrip("/")
    queryset = dispatches.select_related("recommendation__council", "body__region").order_by("pk")
    for d in queryset.iterator(chunk_size=2000):
        council = d.recommendation.council
        yield [
            d.pk,
            d.recommendation_id,
            d.recommendation.title,
            council.code if council else "",
            council.name if council else "",
            d.body.code,
            d.body.name,
            d.body.level,
            d.body.kind,
            d.body.region.code if d.body.region else "",
            d.redirected_from_id,
            d.sent_on,
            d.due_working_days,
            d.due_on,
            d.long_overdue_on,
            d.paused_since,
            d.answered_on,
            # The on-time rate's numerator (metrics._rate_counts): answered on or before the due date.
            bool(d.answered_on and d.due_on and d.answered_on <= d.due_on),
            d.answer,
            d.working_days_taken,
            site + reverse("recommendations:detail", args=[d.recommendation_id]),
        ]


METRIC_HEADERS = [
    "scope",
    "scope_code",
    "period_start",
    "period_end",
    "as_of",
    "metric",
    "breakdown",
    "numerator",
    "denominator",
    "value",
    "count",
    "median",
    "p90",
]


def metric_rows(scope: str, code: str, figures: ScopeMetrics) -> Iterator[list]:
    base = [scope, code, figures.period.start, figures.period.end, figures.as_of]

    def ratio(name: str, r: metrics.Ratio, breakdown: str = "") -> list:
        return [*base, name, breakdown, r.numerator, r.denominator, r.value, r.denominator, None, None]

    def distribution(name: str, d: metrics.Distribution) -> list:
        return [*base, name, "", None, None, None, d.count, d.median, d.p90]

    yield ratio("response_rate", figures.response_rate)
    yield ratio("on_time_rate", figures.on_time_rate)
    yield distribution("overdue_backlog_age", figures.overdue_backlog)
    yield distribution("time_to_response", figures.time_to_response)
    for answer, r in figures.decision_mix.items():
        yield ratio("decision_mix", r, answer)
    yield ratio("reasoned_rejection_rate", figures.reasoned_rejection_rate)
    for cohort, r in figures.implementation_rate_by_cohort.items():
        yield ratio("implementation_rate", r, cohort)
    yield ratio("promise_keeping_rate", figures.promise_keeping_rate)
    gap = figures.verification_gap
    yield [*base, "verification_gap", "", gap.gap, gap.claimed, None, gap.claimed, None, None]


SCOREBOARD_HEADERS = [
    "period_start",
    "period_end",
    "peer_level",
    "peer_kind",
    "body_code",
    "body_name",
    "ranked",
    "rank",
    "on_time",
    "due_in_period",
    "on_time_rate",
    "wilson_lower_bound",
    "answered",
    "response_rate",
    "previous_on_time",
    "previous_due_in_period",
    "previous_on_time_rate",
    "on_time_rate_change",
]


def scoreboard_rows(board: Scoreboard, choice: PeriodChoice) -> Iterator[list]:
    for group in board.groups:
        for row in group.rows:
            yield [
                choice.period.start,
                choice.period.end,
                group.level,
                group.kind,
                row.body.code,
                row.body.name,
                row.ranked,
                row.rank,
                row.on_time.numerator,
                row.on_time.denominator,
                row.on_time.value,
                row.lower_bound,
                row.response.numerator,
                row.response.value,
                row.previous.numerator,
                row.previous.denominator,
                row.previous.value,
                row.change,
            ]


def render(fmt: str, headers: list[str], rows: Iterable[Sequence[object]], sheet: str) -> bytes:
    if fmt == "xlsx":
        return write_xlsx(headers, rows, sheet_title=sheet)
    if fmt == "json":
        records = [dict(zip(headers, row, strict=True)) for row in rows]
        return json.dumps(records, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode("utf-8")
    return write_csv(headers, rows)
