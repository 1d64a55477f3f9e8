"""Every metric of DESIGN §4 against one example counted by hand (November 2026, as of 30 November).

clock  sent    due     answered  answer         taken  in D
d1     02.11   16.11   13.11     accepted       9      yes   on time
d2     02.11   16.11   18.11     partially      12     yes   late
d3     06.11   20.11   —                               yes   overdue 6 (23–27, 30 Nov)
d4     11.11   25.11   25.11     rejected ✓     10     yes   on time (reason, text, hearing)
d5     13.11   27.11   26.11     not competent  9      yes   on time
d6     20.11   04.12   —                               no    not yet due
d7     16.10   30.10   —                               no    overdue 21 (2 Nov … 30 Nov)
d8     30.09   10.11   02.12     accepted       25     yes   late; unanswered on 30.11: overdue 14
d9     29.10   12.11   12.11     rejected ✗     8      yes   on time (no hearing, no substance)

|D| = 7; answered (by now, d8's late answer of 2.12 included): d1 d2 d4 d5 d8 d9 = 6; on time: d1 d4 d5 d9 = 4.
Backlog ages [6, 14, 21]: median 14, p90 = 14 + 0.8 × 7 = 19.6.
Time to response [8, 9, 9, 10, 12, 25]: median 9.5, p90 = 12 + 0.5 × 13 = 18.5.
Commitments: c1 (d1, first promised 30.11, claimed 27.11, confirmed), c2 (d1, 20.11 → slipped to
15.12, claimed 10.12, confirmed), c3 (d2, 25.11, claimed 24.11, not yet confirmed), c4 (d8, 20.12,
planned), c5 (d2, 10.11, claimed 9.11, disputed).
Promise keeping in November: c1 of c1 c2 c3 c5 = 1/4. Gap: claimed 4 − confirmed 2 = 2.
Implementation by cohort of sending (July–December): Q3 (d8) 0/1, Q4 2/4.
"""

from datetime import date

import pytest
from django.db.models import Q

from kenes.core.models import StateBody
from kenes.recommendations import metrics
from kenes.recommendations.models import Answer, Commitment, Dispatch, Hearing, Recommendation, Response

pytestmark = pytest.mark.django_db

NOVEMBER = metrics.Period(date(2026, 11, 1), date(2026, 11, 30))
REASONS = "Бюджетте қаражат көзделмеген, 2027 жылғы бюджетке енгізу ұсынылады."


def D(day, month, year=2026):  # noqa: N802 - reads like the table
    return date(year, month, day)


@pytest.fixture
def example(council):
    body = StateBody.objects.get(code="min-health")
    rows = {
        "d1": (D(2, 11), D(16, 11), D(13, 11), Answer.ACCEPTED, 9),
        "d2": (D(2, 11), D(16, 11), D(18, 11), Answer.PARTIALLY, 12),
        "d3": (D(6, 11), D(20, 11), None, "", None),
        "d4": (D(11, 11), D(25, 11), D(25, 11), Answer.REJECTED, 10),
        "d5": (D(13, 11), D(27, 11), D(26, 11), Answer.NOT_COMPETENT, 9),
        "d6": (D(20, 11), D(4, 12), None, "", None),
        "d7": (D(16, 10), D(30, 10), None, "", None),
        "d8": (D(30, 9), D(10, 11), D(2, 12), Answer.ACCEPTED, 25),
        "d9": (D(29, 10), D(12, 11), D(12, 11), Answer.REJECTED, 8),
    }
    made = {}
    for name, (sent, due, answered, answer, taken) in rows.items():
        recommendation = Recommendation.objects.create(
            council=council, title=name, text=name, status=Recommendation.Status.SENT, sent_on=sent
        )
        made[name] = Dispatch.objects.create(
            recommendation=recommendation,
            body=body,
            sent_on=sent,
            due_on=due,
            answered_on=answered,
            answer=answer,
            working_days_taken=taken,
            due_working_days=10,
            long_overdue_working_days=20,
        )
    hearing = Hearing.objects.create(
        dispatch=made["d4"], notified_on=D(18, 11), held_on=D(24, 11), place="Онлайн"
    )
    Response.objects.create(
        dispatch=made["d4"],
        answer=Answer.REJECTED,
        reason_code="no_funding",
        text=REASONS,
        hearing=hearing,
        responded_on=D(25, 11),
    )
    Response.objects.create(
        dispatch=made["d9"], answer=Answer.REJECTED, reason_code="other", text="Жоқ.", responded_on=D(12, 11)
    )
    S = Commitment.Status
    for dispatch, first, now, status, claimed in [
        ("d1", D(30, 11), D(30, 11), S.VERIFIED, D(27, 11)),
        ("d1", D(20, 11), D(15, 12), S.VERIFIED, D(10, 12)),
        ("d2", D(25, 11), D(25, 11), S.CLAIMED, D(24, 11)),
        ("d8", D(20, 12), D(20, 12), S.PLANNED, None),
        ("d2", D(10, 11), D(10, 11), S.DISPUTED, D(9, 11)),
    ]:
        Commitment.objects.create(
            dispatch=made[dispatch],
            action="a",
            responsible_unit="u",
            original_promised_on=first,
            promised_on=now,
            status=status,
            claimed_on=claimed,
        )
    return Dispatch.objects.all()


def test_response_rate(example):
    assert metrics.response_rate(example, NOVEMBER) == metrics.Ratio(6, 7)


def test_the_tally_gives_the_same_rates_and_mix(example):
    body = Q(body__code="min-health")
    assert metrics.tallied_rates(NOVEMBER, body) == metrics.rates(example, NOVEMBER)
    assert metrics.tallied_decision_mix(NOVEMBER, body) == metrics.decision_mix(example, NOVEMBER)
    assert metrics.tallied_rates(NOVEMBER, Q(body__code="min-finance")) == metrics.Rates(
        metrics.Ratio(0, 0), metrics.Ratio(0, 0)
    )


def test_on_time_rate_keeps_the_unanswered_in_the_denominator(example):
    assert metrics.on_time_rate(example, NOVEMBER) == metrics.Ratio(4, 7)


def test_overdue_backlog_with_median_and_p90_age(example):
    assert metrics.overdue_backlog(example, D(30, 11)) == metrics.Distribution(
        count=3, median=14, p90=pytest.approx(19.6)
    )


def test_time_to_response_median_and_p90(example):
    assert metrics.time_to_response(example, NOVEMBER) == metrics.Distribution(
        count=6, median=9.5, p90=pytest.approx(18.5)
    )


def test_decision_mix(example):
    mix = metrics.decision_mix(example, NOVEMBER)
    assert {answer: ratio.numerator for answer, ratio in mix.items()} == {
        "accepted": 2,
        "partially": 1,
        "rejected": 2,
        "not_competent": 1,
    }
    assert {ratio.denominator for ratio in mix.values()} == {6}


def test_reasoned_rejection_rate(example):
    assert metrics.reasoned_rejection_rate(example, NOVEMBER) == metrics.Ratio(1, 2)


def test_implementation_rate_by_cohort_counts_only_confirmed(example):
    second_half = metrics.Period(D(1, 7), D(31, 12))
    assert metrics.implementation_rate_by_cohort(example, second_half) == {
        "2026-Q3": metrics.Ratio(0, 1),
        "2026-Q4": metrics.Ratio(2, 4),
    }


def test_promise_keeping_rate_counts_a_slip_as_a_broken_promise(example):
    assert metrics.promise_keeping_rate(example, NOVEMBER) == metrics.Ratio(1, 4)


def test_verification_gap(example):
    assert metrics.verification_gap(example) == metrics.VerificationGap(claimed=4, verified=2, gap=2)


def test_metrics_follow_the_queryset_they_are_given(example):
    only_d1_d2 = example.filter(recommendation__title__in=["d1", "d2"])
    assert metrics.on_time_rate(only_d1_d2, NOVEMBER) == metrics.Ratio(1, 2)


def test_wilson_lower_bound_and_empty_samples():
    assert metrics.wilson_lower_bound(8, 10) == pytest.approx(0.4902, abs=1e-4)
    assert metrics.wilson_lower_bound(0, 0) is None
    assert metrics.Ratio(0, 0).value is None
    # a perfect small sample ranks below a near-perfect large one
    assert metrics.wilson_lower_bound(3, 3) < metrics.wilson_lower_bound(95, 100)


def test_percentile_interpolates_between_ranks():
    assert metrics.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert metrics.percentile([5], 0.9) == 5
    assert metrics.percentile([], 0.5) is None


def test_percentiles_from_counts_equal_percentile_cont():
    """The distributions come from GROUP BY counts; they equal linear interpolation between the
    closest ranks (PostgreSQL's percentile_cont, Python's inclusive quantiles) on the raw values."""
    import random
    import statistics
    from collections import Counter

    rng = random.Random(11)
    for size in (1, 2, 3, 10, 97):
        values = [rng.randrange(0, 30) for _ in range(size)]
        counts = Counter(values)
        if size > 1:
            deciles = statistics.quantiles(values, n=10, method="inclusive")
            assert metrics.percentile_of_counts(counts, 0.9) == pytest.approx(deciles[8])
            assert metrics.percentile_of_counts(counts, 0.5) == pytest.approx(statistics.median(values))
        else:
            assert metrics.percentile_of_counts(counts, 0.9) == values[0]
    assert metrics.percentile_of_counts({}, 0.5) is None
