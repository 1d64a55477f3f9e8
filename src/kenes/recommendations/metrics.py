"""Accountability metrics of DESIGN §4, each defined once (docs/metrics.md is their dictionary).

Every function takes a queryset of dispatches (one addressee's clock each — already narrowed to a
body, a council, a region or everything) and a period; pages, the API, exports and the scoreboard
use these functions and nothing else. They read only stored columns (``due_on``, ``answered_on``,
``working_days_taken``, the answer, commitment dates and status), so each can become one SQL
aggregate or a precomputed table without changing its meaning; the clock keeps those columns equal to
its recount.

``D`` is the set of dispatches whose due date falls in the period. A clock paused for a
clarification has no due date and is in no ``D`` until it resumes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum

from kenes.core.workcalendar import WorkCalendar

from .models import Answer, Commitment, Dispatch, DispatchTally, RejectionReason, Response


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def quarter_of(self, day: date) -> str:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def wilson_lower_bound(self, z: float = 1.96) -> float | None:
        return wilson_lower_bound(self.numerator, self.denominator, z)

    @property
    def percent(self) -> float | None:
        return None if self.value is None else 100 * self.value


def wilson_lower_bound(successes: int, total: int, z: float = 1.96) -> float | None:
    """The lower end of the Wilson score interval (95% by default): a rate that a small sample cannot
    inflate. Rankings sort by it, with a minimum sample, and show the sample size."""
    if total <= 0:
        return None
    p = successes / total
    z2 = z * z
    centre = p + z2 / (2 * total)
    margin = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total))
    return max(0.0, (centre - margin) / (1 + z2 / total))


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks (PostgreSQL's ``percentile_cont``)."""
    return percentile_of_counts(Counter(values), fraction)


def percentile_of_counts(counts: Mapping[float, int], fraction: float) -> float | None:
    """``percentile`` of a multiset given as value → how many times it occurs: what a ``GROUP BY``
    returns, so that the database sends a few dozen rows instead of every value."""
    total = sum(counts.values())
    if not total:
        return None
    position = (total - 1) * fraction
    low_rank = math.floor(position)
    high_rank = min(low_rank + 1, total - 1)
    low = high = None
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if low is None and seen > low_rank:
            low = value
        if seen > high_rank:
            high = value
            break
    return low + (high - low) * (position - low_rank)


@dataclass(frozen=True)
class Distribution:
    count: int
    median: float | None
    p90: float | None


def _distribution(counts: Mapping[float, int]) -> Distribution:
    return Distribution(
        count=sum(counts.values()),
        median=percentile_of_counts(counts, 0.5),
        p90=percentile_of_counts(counts, 0.9),
    )


def due_in(dispatches: QuerySet[Dispatch], period: Period) -> QuerySet[Dispatch]:
    """``D``: the dispatches whose due date falls in the period."""
    return dispatches.filter(_in_d(period))


def _in_d(period: Period) -> Q:
    return Q(sent_on__isnull=False, due_on__gte=period.start, due_on__lte=period.end)


def _rate_counts(period: Period) -> dict:
    """The one definition of the response and on-time rates, as aggregate expressions over dispatches:
    ``total`` = |D|, ``answered`` = answered (by now), ``on_time`` = answered by the due date.
    ``response_rate`` and ``on_time_rate`` aggregate them over a queryset; ``rates_by`` groups them.
    ``tally.py`` keeps the same three counts per body and due date (its triggers mirror this), and
    ``tallied_rates_by`` sums them for scopes made of whole bodies."""
    in_d = _in_d(period)
    return {
        "total": Count("pk", filter=in_d),
        "answered": Count("pk", filter=in_d & Q(answered_on__isnull=False)),
        "on_time": Count("pk", filter=in_d & Q(answered_on__lte=F("due_on"))),
    }


@dataclass(frozen=True)
class Rates:
    response: Ratio
    on_time: Ratio


def _rates(row: dict) -> Rates:
    return Rates(Ratio(row["answered"], row["total"]), Ratio(row["on_time"], row["total"]))


def rates(dispatches, period: Period) -> Rates:
    """``response_rate`` and ``on_time_rate`` of one queryset in one query."""
    return _rates(dispatches.aggregate(**_rate_counts(period)))


def response_rate(dispatches, period: Period) -> Ratio:
    """Answered (by now) / |D|. A late answer still counts: the rate of a past period rises when a
    body finally answers, while its on-time rate stays what it was."""
    return rates(dispatches, period).response


def on_time_rate(dispatches, period: Period) -> Ratio:
    """Answered on or before the due date / |D|; the unanswered stay in the denominator."""
    return rates(dispatches, period).on_time


def rates_by(dispatches, period: Period, key: str) -> dict[object, Rates]:
    """``response_rate`` and ``on_time_rate`` for every value of ``key`` (e.g. ``"body_id"``) in one
    query; a key with no dispatch in D is absent."""
    rows = due_in(dispatches, period).order_by().values(key).annotate(**_rate_counts(period))
    return {row[key]: _rates(row) for row in rows}


# --- The same counts from the tally, for scopes made of whole state bodies -------------------------


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _tally_rows(period: Period) -> Q:
    """The tally rows that cover the period exactly once: month rows for its whole months, day rows
    for the days before the first and after the last whole month."""
    first = period.start if period.start.day == 1 else _next_month(period.start)  # first whole month
    ends_a_month = _next_month(period.end) - period.end == timedelta(days=1)
    after = _next_month(period.end) if ends_a_month else _month_start(period.end)  # after the last one
    days = Q(grain=DispatchTally.Grain.DAY)
    if first >= after:  # no whole month
        return days & Q(due_on__gte=period.start, due_on__lte=period.end)
    return (
        Q(grain=DispatchTally.Grain.MONTH, due_on__gte=first, due_on__lt=after)
        | (days & Q(due_on__gte=period.start, due_on__lt=first))
        | (days & Q(due_on__gte=after, due_on__lte=period.end))
    )


def _tally(period: Period, bodies: Q) -> QuerySet[DispatchTally]:
    return DispatchTally.objects.filter(_tally_rows(period)).filter(bodies).order_by()


_TALLY_SUMS = {name: Sum(name) for name in ("total", "answered", "on_time")}


def tallied_rates(period: Period, bodies: Q) -> Rates:
    """``rates`` of the dispatches addressed to ``bodies`` (a filter on the body: ``Q(body=…)``,
    ``Q(body__region=…)``, ``Q()`` for all), read from the tally."""
    counts = _tally(period, bodies).aggregate(**_TALLY_SUMS)
    return _rates({name: value or 0 for name, value in counts.items()})


def tallied_rates_by_body(period: Period, bodies: Q | None = None) -> dict[int, Rates]:
    """``rates_by(…, "body_id")`` from the tally: one short query for every body of the country."""
    rows = _tally(period, bodies or Q()).values("body_id").annotate(**_TALLY_SUMS)
    return {row["body_id"]: _rates(row) for row in rows if row["total"]}


def overdue_backlog(dispatches, as_of: date) -> Distribution:
    """Clocks overdue on ``as_of`` (not answered by then, past the first working day after due, not
    paused), with the median and 90th percentile of their age in working days overdue."""
    overdue = dispatches.filter(sent_on__lte=as_of, due_on__lt=as_of, paused_since__isnull=True).order_by()
    by_due = Counter()
    # Still open, and answered only after ``as_of`` (a past day): two index ranges, not one scan.
    for part in (overdue.filter(answered_on__isnull=True), overdue.filter(answered_on__gt=as_of)):
        by_due.update(dict(part.values_list("due_on").annotate(n=Count("pk")).values_list("due_on", "n")))
    if not by_due:
        return _distribution({})
    count_to = working_day_counter(min(by_due), as_of)
    ages = Counter()
    for due, n in by_due.items():
        age = count_to(as_of) - count_to(due)
        if age >= 1:  # overdue from the next working day after the due date
            ages[age] += n
    return _distribution(ages)


def working_day_counter(start: date, end: date):
    """``count_to(day)``: working days after ``start`` up to and including ``day`` (start ≤ day ≤ end),
    from one calendar query; ``count_to(b) − count_to(a)`` = working days after ``a`` up to ``b``."""
    calendar = WorkCalendar(start, end)
    cumulative, total = {start: 0}, 0
    for offset in range(1, (end - start).days + 1):
        day = date.fromordinal(start.toordinal() + offset)
        total += calendar.is_working_day(day)
        cumulative[day] = total
    return cumulative.__getitem__


def time_to_response(dispatches, period: Period) -> Distribution:
    """Working days from sending to the answer, pauses excluded, over the answered dispatches of D."""
    counts = dict(
        due_in(dispatches, period)
        .filter(answered_on__isnull=False, working_days_taken__isnull=False)
        .order_by()
        .values_list("working_days_taken")
        .annotate(n=Count("pk"))
        .values_list("working_days_taken", "n")
    )
    return _distribution(counts)


def decision_mix(dispatches, period: Period) -> dict[str, Ratio]:
    """Share of each answer (the one in force) among the answered dispatches of D."""
    answered = due_in(dispatches, period).filter(answered_on__isnull=False).order_by()
    counts = dict(answered.values_list("answer").annotate(n=Count("pk")).values_list("answer", "n"))
    return _mix(counts)


def _mix(counts: dict[str, int | None]) -> dict[str, Ratio]:
    counts = {answer: counts.get(answer) or 0 for answer in Answer.values}
    total = sum(counts.values())
    return {answer: Ratio(n, total) for answer, n in counts.items()}


def tallied_decision_mix(period: Period, bodies: Q) -> dict[str, Ratio]:
    """``decision_mix`` of the dispatches addressed to ``bodies``, read from the tally."""
    return _mix(_tally(period, bodies).aggregate(**{answer: Sum(answer) for answer in Answer.values}))


def reasoned_rejection_rate(dispatches, period: Period, min_text: int | None = None) -> Ratio:
    """Rejections in force with a reason code, substantive reasons and a hearing / all rejections in D."""
    from .services import MIN_REJECTION_TEXT

    min_text = MIN_REJECTION_TEXT if min_text is None else min_text
    rejected = Response.objects.filter(
        dispatch__in=due_in(dispatches, period).filter(answer=Answer.REJECTED).order_by(),
        answer=Answer.REJECTED,
        superseded_by__isnull=True,
    )
    rows = list(rejected.values_list("reason_code", "text", "hearing_id"))
    reasoned = sum(
        1
        for code, text, hearing in rows
        if code in RejectionReason.values and len(text.strip()) >= min_text and hearing
    )
    return Ratio(reasoned, len(rows))


def _commitments(dispatches) -> QuerySet[Commitment]:
    return Commitment.objects.filter(dispatch__in=dispatches.order_by()).order_by()


def implementation_rate_by_cohort(dispatches, period: Period) -> dict[str, Ratio]:
    """Per quarter of sending (the cohort): commitments confirmed by the council / all commitments of
    the cohort's dispatches sent in the period. A claim without confirmation does not count."""
    rows = _commitments(
        dispatches.filter(sent_on__gte=period.start, sent_on__lte=period.end).order_by()
    ).values_list("dispatch__sent_on", "status")
    cohorts: dict[str, list[int]] = {}
    for sent_on, status in rows:
        totals = cohorts.setdefault(period.quarter_of(sent_on), [0, 0])
        totals[0] += status == Commitment.Status.VERIFIED
        totals[1] += 1
    return {cohort: Ratio(n, total) for cohort, (n, total) in sorted(cohorts.items())}


def promise_keeping_rate(dispatches, period: Period) -> Ratio:
    """Commitments first promised for a date in the period that were claimed by that first date and
    confirmed / all commitments first promised for a date in the period. A slip breaks the promise."""
    commitments = _commitments(dispatches).filter(
        original_promised_on__gte=period.start, original_promised_on__lte=period.end
    )
    counts = commitments.aggregate(
        total=Count("pk"),
        kept=Count(
            "pk",
            filter=Q(status=Commitment.Status.VERIFIED, claimed_on__lte=F("original_promised_on")),
        ),
    )
    return Ratio(counts["kept"], counts["total"])


@dataclass(frozen=True)
class VerificationGap:
    claimed: int  # commitments the body has claimed implemented (ever)
    verified: int  # of those, confirmed by the council
    gap: int  # claimed − verified: awaiting the council, or disputed


def verification_gap(dispatches) -> VerificationGap:
    counts = _commitments(dispatches).aggregate(
        claimed=Count("pk", filter=Q(claimed_on__isnull=False)),
        verified=Count("pk", filter=Q(status=Commitment.Status.VERIFIED)),
    )
    return VerificationGap(counts["claimed"], counts["verified"], counts["claimed"] - counts["verified"])
