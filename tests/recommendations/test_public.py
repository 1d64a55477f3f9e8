"""Public accountability pages and exports: every number equals a direct recount over the rows, the
scoreboard ranks by the Wilson lower bound within peer groups, and query counts do not grow with rows."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kenes.core.models import StateBody
from kenes.recommendations import metrics, selectors
from kenes.recommendations.models import Answer, Commitment, Dispatch, Recommendation
from kenes.recommendations.workflows import clock
from tests.factories import CouncilFactory

from .conftest import on

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_pages(client):
    """The pages are read in English here; Kazakh is the default language of the interface."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"


YEAR_2026 = metrics.Period(date(2026, 1, 1), date(2026, 12, 31))
AFTER_2026 = date(2027, 1, 20)


@pytest.fixture
def peers():
    """Four central ministries: one peer group."""
    bodies = list(StateBody.objects.filter(level="central", kind="ministry").order_by("code")[:4])
    assert len(bodies) == 4
    return bodies


def fill(council, bodies, per_body: int, seed: int = 7) -> None:
    """``per_body`` dispatches per body with due dates spread over 2025–2026, some answered on time,
    some late, some not at all, and a few commitments."""
    rng = random.Random(seed)
    answers = [Answer.ACCEPTED, Answer.PARTIALLY, Answer.REJECTED, Answer.NOT_COMPETENT]
    for body_index, body in enumerate(bodies):
        for i in range(per_body):
            sent = date(2025, 1, 6) + timedelta(days=rng.randrange(0, 700))
            due = sent + timedelta(days=14)
            roll = rng.random()
            # Bodies differ: the first answers nearly always on time, the last rarely.
            on_time_chance = 0.9 - 0.25 * body_index
            if roll < on_time_chance:
                # Answering on the due date itself is on time: make it common.
                answered = rng.choice([due, sent + timedelta(days=rng.randrange(1, 14))])
            elif roll < on_time_chance + 0.15:
                answered = due + timedelta(days=rng.randrange(1, 20))
            else:
                answered = None
            paused = answered is None and i % 7 == 0  # a clarification pending: no due date, in no D
            recommendation = Recommendation.objects.create(
                council=council, title=f"r{body.pk}-{i}", text="t", status="sent", sent_on=sent
            )
            dispatch = Dispatch.objects.create(
                recommendation=recommendation,
                body=body,
                sent_on=sent,
                due_on=None if paused else due,
                long_overdue_on=None if paused else due + timedelta(days=14),
                paused_since=sent + timedelta(days=3) if paused else None,
                answered_on=answered,
                answer=rng.choice(answers) if answered else "",
                working_days_taken=((answered - sent).days * 5 // 7) if answered else None,
                due_working_days=10,
                long_overdue_working_days=20,
            )
            if answered and i % 3 == 0:
                promised = answered + timedelta(days=60)
                verified = i % 2 == 0
                Commitment.objects.create(
                    dispatch=dispatch,
                    action="a",
                    responsible_unit="u",
                    original_promised_on=promised,
                    promised_on=promised,
                    status=Commitment.Status.VERIFIED if verified else Commitment.Status.CLAIMED,
                    claimed_on=promised - timedelta(days=3),
                )


def recount(body, period: metrics.Period) -> tuple[int, int, int]:
    """(on time, answered by the period's end, |D|) counted row by row in Python."""
    rows = [
        d for d in Dispatch.objects.filter(body=body) if d.due_on and period.start <= d.due_on <= period.end
    ]
    on_time = sum(1 for d in rows if d.answered_on and d.answered_on <= d.due_on)
    answered = sum(1 for d in rows if d.answered_on and d.answered_on <= period.end)
    return on_time, answered, len(rows)


@pytest.fixture
def council(peers):
    return CouncilFactory(code="pc-public", state_body=peers[0])


def test_scoreboard_numbers_equal_a_direct_recount(client, council, peers, settings):
    settings.KENES_SCOREBOARD_MIN_SAMPLE = 10
    fill(council, peers[:3], per_body=30)
    fill(council, peers[3:], per_body=8, seed=8)  # too few in 2026 to be ranked
    with on(AFTER_2026):
        response = client.get(reverse("recommendations:scoreboard"), {"year": 2026})
    assert response.status_code == 200
    board = response.context["board"]
    rows = {row.body.pk: row for group in board.groups for row in group.rows}
    html = response.content.decode()
    for body in peers:
        on_time, answered, total = recount(body, YEAR_2026)
        row = rows[body.pk]
        assert (row.on_time.numerator, row.on_time.denominator) == (on_time, total)
        assert (row.response.numerator, row.response.denominator) == (answered, total)
        assert row.lower_bound == metrics.wilson_lower_bound(on_time, total)
        assert f"{on_time} / {total}" in html
        before = recount(body, selectors.period_choice({"year": "2025"}).period)
        assert (row.previous.numerator, row.previous.denominator) == (before[0], before[2])
        assert row.ranked == (total >= 10)
    group = next(g for g in board.groups if g.level == "central" and g.kind == "ministry")
    ranked = [r for r in group.rows if r.ranked]
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    assert [r.lower_bound for r in ranked] == sorted((r.lower_bound for r in ranked), reverse=True)
    assert not rows[peers[3].pk].ranked and rows[peers[3].pk].rank is None
    assert "not ranked: too few" in html


def test_scoreboard_ranks_a_long_record_above_a_lucky_streak(client, council, peers, settings):
    settings.KENES_SCOREBOARD_MIN_SAMPLE = 3
    due = date(2026, 5, 15)

    def make(body, n, on_time):
        for i in range(n):
            rec = Recommendation.objects.create(council=council, title="x", text="t", status="sent")
            Dispatch.objects.create(
                recommendation=rec,
                body=body,
                sent_on=due - timedelta(days=14),
                due_on=due,
                answered_on=due if i < on_time else None,
                answer=Answer.ACCEPTED if i < on_time else "",
            )

    make(peers[0], 3, 3)  # 100 %, tiny sample
    make(peers[1], 100, 95)  # 95 %, long record
    make(peers[2], 2, 2)  # below the minimum
    with on(AFTER_2026):
        board = selectors.scoreboard(selectors.period_choice({"year": "2026"}))
    order = [r.body for r in board.groups[0].rows]
    assert order[:2] == [peers[1], peers[0]]
    assert board.groups[0].rows[2].body == peers[2] and not board.groups[0].rows[2].ranked


def test_most_improved_compares_with_the_previous_period(council, peers, settings):
    settings.KENES_SCOREBOARD_MIN_SAMPLE = 2

    def make(body, due, n, on_time):
        for i in range(n):
            rec = Recommendation.objects.create(council=council, title="x", text="t", status="sent")
            Dispatch.objects.create(
                recommendation=rec,
                body=body,
                sent_on=due - timedelta(days=14),
                due_on=due,
                answered_on=due if i < on_time else None,
            )

    make(peers[0], date(2025, 6, 2), 4, 1)
    make(peers[0], date(2026, 6, 2), 4, 4)  # 25 % → 100 %
    make(peers[1], date(2025, 6, 2), 4, 2)
    make(peers[1], date(2026, 6, 2), 4, 3)  # 50 % → 75 %
    make(peers[2], date(2026, 6, 2), 4, 4)  # nothing before: not compared
    board = selectors.scoreboard(selectors.period_choice({"year": "2026"}))
    assert [(r.body, round(r.change_points)) for r in board.most_improved] == [(peers[0], 75), (peers[1], 25)]


def test_body_page_numbers_equal_a_direct_recount(client, council, peers):
    fill(council, peers[:2], per_body=40)
    body = peers[0]
    with on(AFTER_2026):
        response = client.get(reverse("recommendations:scope", args=["body", body.code]), {"year": 2026})
    assert response.status_code == 200
    figures = response.context["figures"]
    on_time, answered, total = recount(body, YEAR_2026)
    assert (figures.on_time_rate.numerator, figures.on_time_rate.denominator) == (on_time, total)
    assert (figures.response_rate.numerator, figures.response_rate.denominator) == (answered, total)
    rows = [
        d
        for d in Dispatch.objects.filter(body=body)
        if d.due_on and YEAR_2026.start <= d.due_on <= YEAR_2026.end
    ]
    taken = [d.working_days_taken for d in rows if d.answered_on]
    assert figures.time_to_response.count == len(taken)
    assert figures.time_to_response.median == metrics.percentile(taken, 0.5)
    mix = {a: sum(1 for d in rows if d.answered_on and d.answer == a) for a in Answer.values}
    assert {a: r.numerator for a, r in figures.decision_mix.items()} == mix
    open_on_31_12 = [
        d
        for d in Dispatch.objects.filter(body=body)
        if d.due_on and d.due_on < YEAR_2026.end and (d.answered_on is None or d.answered_on > YEAR_2026.end)
    ]
    # Every open clock here is weeks past due, so each is overdue on 31 December.
    assert figures.overdue_backlog.count == len(open_on_31_12)
    commitments = list(Commitment.objects.filter(dispatch__body=body))
    claimed = sum(1 for c in commitments if c.claimed_on)
    verified = sum(1 for c in commitments if c.status == Commitment.Status.VERIFIED)
    assert figures.verification_gap == metrics.VerificationGap(claimed, verified, claimed - verified)
    html = response.content.decode()
    assert f"{on_time} / {total}" in html and f"{answered} / {total}" in html
    assert "<caption>" in html and 'scope="row"' in html


def test_council_and_region_pages_show_their_scope(client, council, peers):
    fill(council, peers[:1], per_body=5)
    with on(AFTER_2026):
        council_page = client.get(reverse("recommendations:scope", args=["council", council.code]))
        assert council_page.status_code == 200
        region = StateBody.objects.filter(region__isnull=False).select_related("region").first().region
        region_page = client.get(reverse("recommendations:scope", args=["region", region.code]))
        assert region_page.status_code == 200
        assert client.get(reverse("recommendations:scope", args=["planet", "x"])).status_code == 404
        assert client.get(reverse("recommendations:scope", args=["body", "no-such"])).status_code == 404


def test_awaiting_lists_the_longest_waiting_first_with_the_clock_state(client, make_sent, body, other_body):
    first = make_sent(date(2026, 11, 2), bodies=[body, other_body], title="Бірінші")
    make_sent(date(2026, 11, 16), title="Екінші")
    with on(date(2026, 11, 27)):
        response = client.get(reverse("recommendations:awaiting"))
        rows = response.context["rows"]
        assert [r.dispatch.recommendation.title for r in rows] == ["Бірінші", "Бірінші", "Екінші"]
        assert rows[0].working_days_waiting > rows[2].working_days_waiting
        for row in rows:
            computed = clock(row.dispatch, date(2026, 11, 27), explain=False)
            assert row.state == computed.state
    assert first.dispatches.count() == 2
    assert "Бірінші" in response.content.decode()


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_rows(client, council, peers):
    urls = [
        (reverse("recommendations:awaiting"), {}),
        (reverse("recommendations:scoreboard"), {"year": 2026}),
        (reverse("recommendations:scope", args=["body", peers[0].code]), {"year": 2026}),
        (reverse("recommendations:scope", args=["council", council.code]), {"year": 2026}),
    ]
    with on(AFTER_2026):
        fill(council, peers[:2], per_body=5)
        # One open clock long past due, so the overdue backlog is not empty at either size.
        Dispatch.objects.create(
            recommendation=Recommendation.objects.create(council=council, title="o", text="t", status="sent"),
            body=peers[0],
            sent_on=date(2026, 3, 2),
            due_on=date(2026, 3, 16),
            long_overdue_on=date(2026, 3, 30),
        )
        small = [_queries(client, url, params) for url, params in urls]
        fill(council, peers, per_body=40, seed=9)
        large = [_queries(client, url, params) for url, params in urls]
    assert small == large


def test_period_choice_reads_year_and_quarter():
    today = date(2026, 11, 29)
    assert selectors.period_choice({}, today).period == metrics.Period(date(2025, 11, 30), today)
    q3 = selectors.period_choice({"year": "2026", "quarter": "3"}, today)
    assert q3.period == metrics.Period(date(2026, 7, 1), date(2026, 9, 30))
    assert q3.previous == metrics.Period(date(2026, 4, 1), date(2026, 6, 30))
    q1 = selectors.period_choice({"year": "2026", "quarter": "1"}, today)
    assert q1.previous == metrics.Period(date(2025, 10, 1), date(2025, 12, 31))
    assert selectors.period_choice({"year": "banana"}, today).year is None
    leap = selectors.period_choice({}, date(2028, 2, 29))
    assert leap.period.start == date(2027, 3, 1)
    assert leap.previous.end == date(2027, 2, 28)


def downloaded(response) -> bytes:
    """An export is streamed as it is written."""
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content)


def test_json_export_chunks_join_into_the_same_document():
    from kenes.recommendations.exporting import _json_chunks

    rows = [[n, f"«{n}»", None] for n in range(7)]
    for per_chunk in (1, 3, 7, 100):
        text = b"".join(_json_chunks(["a", "b", "c"], rows, per_chunk=per_chunk)).decode()
        assert json.loads(text) == [{"a": n, "b": f"«{n}»", "c": None} for n in range(7)]
    assert json.loads(b"".join(_json_chunks(["a"], [])).decode()) == []


def test_dispatch_export_in_three_formats_recounts_to_the_page(client, council, peers):
    fill(council, peers[:2], per_body=20)
    body = peers[0]
    on_time, _answered, total = recount(body, YEAR_2026)
    with on(AFTER_2026):
        url = reverse("recommendations:scope_export", args=["body", body.code, "dispatches", "csv"])
        response = client.get(url, {"year": 2026})
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(downloaded(response).decode("utf-8-sig"))))
        assert len(rows) == total
        assert sum(r["answered_on_time"] == "true" for r in rows) == on_time
        assert {r["body_code"] for r in rows} == {body.code}

        url = reverse("recommendations:scope_export", args=["body", body.code, "dispatches", "json"])
        records = json.loads(downloaded(client.get(url, {"year": 2026})))
        assert len(records) == total and sum(r["answered_on_time"] for r in records) == on_time

        url = reverse("recommendations:scope_export", args=["body", body.code, "dispatches", "xlsx"])
        sheet = load_workbook(io.BytesIO(downloaded(client.get(url, {"year": 2026})))).active
        assert sheet.max_row == total + 1
        national = reverse("recommendations:scope_export", args=["national", "all", "dispatches", "json"])
        assert len(json.loads(downloaded(client.get(national, {"year": 2026})))) == sum(
            recount(b, YEAR_2026)[2] for b in peers
        )


def test_metrics_and_scoreboard_exports_carry_the_page_figures(client, council, peers):
    fill(council, peers[:2], per_body=20)
    body = peers[0]
    on_time, answered, total = recount(body, YEAR_2026)
    with on(AFTER_2026):
        url = reverse("recommendations:scope_export", args=["body", body.code, "metrics", "json"])
        records = {
            (r["metric"], r["breakdown"]): r for r in json.loads(downloaded(client.get(url, {"year": 2026})))
        }
        assert (records["on_time_rate", ""]["numerator"], records["on_time_rate", ""]["denominator"]) == (
            on_time,
            total,
        )
        assert records["response_rate", ""]["numerator"] == answered
        for fmt in ("csv", "xlsx"):
            url = reverse("recommendations:scope_export", args=["body", body.code, "metrics", fmt])
            assert client.get(url, {"year": 2026}).status_code == 200
        board = json.loads(
            downloaded(
                client.get(reverse("recommendations:scoreboard_export", args=["json"]), {"year": 2026})
            )
        )
        row = next(r for r in board if r["body_code"] == body.code)
        assert (row["on_time"], row["due_in_period"], row["answered"]) == (on_time, total, answered)
        assert client.get(reverse("recommendations:scoreboard_export", args=["pdf"])).status_code == 404


def test_metrics_and_scoreboard_api_carry_the_export_rows(client, council, peers):
    fill(council, peers[:2], per_body=20)
    body = peers[0]
    on_time, answered, total = recount(body, YEAR_2026)
    with on(AFTER_2026):
        api = client.get(f"/api/v1/recommendations/metrics/body/{body.code}", {"year": 2026})
        assert api.status_code == 200
        export = reverse("recommendations:scope_export", args=["body", body.code, "metrics", "json"])
        assert api.json() == json.loads(downloaded(client.get(export, {"year": 2026})))
        rates = {row["metric"]: row for row in api.json() if not row["breakdown"]}
        assert (rates["on_time_rate"]["numerator"], rates["on_time_rate"]["denominator"]) == (on_time, total)
        assert rates["response_rate"]["numerator"] == answered

        board = client.get("/api/v1/recommendations/scoreboard", {"year": 2026, "quarter": 4})
        assert board.status_code == 200
        yearly = client.get("/api/v1/recommendations/scoreboard", {"year": 2026}).json()
        row = next(r for r in yearly if r["body_code"] == body.code)
        assert (row["on_time"], row["due_in_period"], row["answered"]) == (on_time, total, answered)

        national = client.get("/api/v1/recommendations/metrics/national/all").json()
        assert {row["scope"] for row in national} == {"national"}
        assert client.get("/api/v1/recommendations/metrics/national/kz").status_code == 404
        assert client.get("/api/v1/recommendations/metrics/body/no-such-body").status_code == 404
        assert client.get("/api/v1/recommendations/metrics/planet/earth").status_code == 422
        assert client.get("/api/v1/recommendations/scoreboard", {"quarter": 9}).status_code == 422
