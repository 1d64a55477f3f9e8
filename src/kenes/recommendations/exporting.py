"""Open-data exports of recommendations and their accountability metrics (CSV, XLSX, JSON).

The column names are stable machine keys, documented in docs/metrics.md ("Exports"); every figure
comes from ``metrics`` through the same selectors as the public pages, so a file and its page agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.urls import reverse

from kenes.core.models import StateBody
from kenes.core.tabular import csv_chunks, write_xlsx
from kenes.councils.models import Council

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
    """One row per dispatch, read as plain values in pages of 2,000 (bodies and councils are looked
    up from one read each), so that a national export streams a million rows in steady memory."""
    site = settings.KENES_SITE_URL.rstrip("/")
    detail = site + reverse("recommendations:detail", args=[0]).removesuffix("0/")
    bodies = {
        body.pk: (body.code, body.name, body.level, body.kind, body.region.code if body.region else "")
        for body in StateBody.all_objects.select_related("region")
    }
    councils = {council.pk: (council.code, council.name) for council in Council.objects.all()}
    fields = (
        "pk",
        "recommendation_id",
        "recommendation__title",
        "recommendation__council_id",
        "body_id",
        "redirected_from_id",
        "sent_on",
        "due_working_days",
        "due_on",
        "long_overdue_on",
        "paused_since",
        "answered_on",
        "answer",
        "working_days_taken",
    )
    for row in dispatches.order_by("pk").values_list(*fields, named=True).iterator(chunk_size=2000):
        answered, due = row.answered_on, row.due_on
        yield [
            row.pk,
            row.recommendation_id,
            row.recommendation__title,
            *councils.get(row.recommendation__council_id, ("", "")),
            *bodies[row.body_id],
            row.redirected_from_id,
            row.sent_on,
            row.due_working_days,
            due,
            row.long_overdue_on,
            row.paused_since,
            answered,
            # The on-time rate's numerator (metrics._rate_counts): answered on or before the due date.
            bool(answered and due and answered <= due),
            row.answer,
            row.working_days_taken,
            f"{detail}{row.recommendation_id}/",
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


def render(fmt: str, headers: list[str], rows: Iterable[Sequence[object]], sheet: str) -> Iterator[bytes]:
    """The file as a stream of byte chunks: CSV and JSON are written as the rows come; an XLSX
    workbook is a zip, so it is written whole (openpyxl's write-only mode keeps its memory small)."""
    if fmt == "xlsx":
        yield write_xlsx(headers, rows, sheet_title=sheet)
    elif fmt == "json":
        yield from _json_chunks(headers, rows)
    else:
        yield from csv_chunks(headers, rows)


def _json_chunks(
    headers: list[str], rows: Iterable[Sequence[object]], per_chunk: int = 2000
) -> Iterator[bytes]:
    """A JSON array of one object per row, indented as before, in chunks of ``per_chunk`` rows."""
    encoder = DjangoJSONEncoder(ensure_ascii=False, indent=1)
    parts, first = ["["], True
    for n, row in enumerate(rows, start=1):
        text = encoder.encode(dict(zip(headers, row, strict=True))).replace("\n", "\n ")
        parts.append(("\n " if first else ",\n ") + text)
        first = False
        if n % per_chunk == 0:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("\n]" if not first else "]")
    yield "".join(parts).encode("utf-8")
