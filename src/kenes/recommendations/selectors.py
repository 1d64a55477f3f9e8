"""Reads of recommendations: visibility, pages, task lists by urgency, the escalation ladder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.core.models import Region, Role, RoleAssignment, StateBody
from kenes.core.rules import is_coordination_centre, role_keys
from kenes.councils.models import Council

from . import metrics
from .models import Claim, Commitment, Dispatch, Hearing, Recommendation, Response, Verification
from .workflows import STATE_LABELS, Clock, ClockState, clock, ladder, rule_for

URGENCY = {
    ClockState.LONG_OVERDUE: 0,
    ClockState.OVERDUE: 1,
    ClockState.DUE_SOON: 2,
    ClockState.RUNNING: 3,
    ClockState.PAUSED: 4,
}


def _scoped_ids(user, role: str, model) -> list[int]:
    content_type_id = ContentType.objects.get_for_model(model).pk
    return [object_id for r, ct, object_id in role_keys(user) if r == role and ct == content_type_id]


def visible_recommendations(user) -> QuerySet[Recommendation]:
    """Sent ones for everybody; drafts for the council's members and the coordination centre."""
    queryset = Recommendation.objects.all()
    if is_coordination_centre(user):
        return queryset
    council_ids = [
        pk
        for role in (Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR)
        for pk in _scoped_ids(user, role, Council)
    ]
    return queryset.filter(Q(status=Recommendation.Status.SENT) | Q(council_id__in=council_ids))


def recommendation_for_page(pk: int, user) -> Recommendation | None:
    return (
        visible_recommendations(user)
        .select_related("council", "decision__item__meeting", "signed_by")
        .prefetch_related(
            "bases__decision",
            "bases__issue",
            "bases__problem",
            Prefetch(
                "dispatches",
                queryset=Dispatch.objects.select_related("body", "redirected_from__body").prefetch_related(
                    "clarifications",
                    "extensions__approved_by",
                    "hearings",
                    Prefetch(
                        "responses", queryset=Response.objects.select_related("redirect_to", "responded_by")
                    ),
                    Prefetch(
                        "commitments",
                        queryset=Commitment.objects.prefetch_related(
                            "slips",
                            Prefetch("claims", queryset=Claim.objects.prefetch_related("evidence")),
                            Prefetch(
                                "verifications", queryset=Verification.objects.prefetch_related("evidence")
                            ),
                        ),
                    ),
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class Task:
    dispatch: Dispatch
    clock: Clock
    what: str


def officer_tasks(user, today: date | None = None) -> list[Task]:
    """What is addressed to the officer's bodies and still open, most urgent first."""
    today = today or timezone.localdate()
    body_ids = _scoped_ids(user, Role.STATE_BODY_OFFICER, StateBody)
    dispatches = (
        Dispatch.objects.filter(body_id__in=body_ids, sent_on__isnull=False, answered_on__isnull=True)
        .select_related("recommendation__council", "body")
        .prefetch_related("clarifications", "extensions")
    )
    tasks = [Task(d, clock(d, today, explain=False), _("answer")) for d in dispatches]
    tasks.sort(key=lambda t: (URGENCY.get(t.clock.state, 9), t.clock.due_on or date.max, t.dispatch.pk))
    return tasks


def officer_commitments(user) -> QuerySet[Commitment]:
    """Open commitments of the officer's bodies, by promised date (disputed ones first)."""
    body_ids = _scoped_ids(user, Role.STATE_BODY_OFFICER, StateBody)
    return (
        Commitment.objects.filter(
            dispatch__body_id__in=body_ids,
            status__in=[Commitment.Status.PLANNED, Commitment.Status.IN_PROGRESS, Commitment.Status.DISPUTED],
        )
        .select_related("dispatch__recommendation", "dispatch__body")
        .order_by("promised_on", "pk")
    )


@dataclass(frozen=True)
class CouncilTasks:
    to_verify: list[Commitment]  # claimed, awaiting the council's confirmation or dispute
    hearings: list[Hearing]  # offered hearings from today on
    clarifications: list  # questions of bodies awaiting the council's answer (clocks paused)
    answers: list[Dispatch]  # answered in the last 30 days, to read


def secretary_tasks(user, today: date | None = None) -> CouncilTasks:
    today = today or timezone.localdate()
    council_ids = [
        pk for role in (Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR) for pk in _scoped_ids(user, role, Council)
    ]
    own = Q(dispatch__recommendation__council_id__in=council_ids)
    if is_coordination_centre(user):
        own |= Q(dispatch__recommendation__council__isnull=True)
    from .models import Clarification

    return CouncilTasks(
        to_verify=list(
            Commitment.objects.filter(own, status=Commitment.Status.CLAIMED)
            .select_related("dispatch__recommendation", "dispatch__body")
            .order_by("claimed_on", "pk")
        ),
        hearings=list(
            Hearing.objects.filter(own, held_on__gte=today)
            .select_related("dispatch__recommendation", "dispatch__body")
            .order_by("held_on", "pk")
        ),
        clarifications=list(
            Clarification.objects.filter(own, answered_on__isnull=True)
            .select_related("dispatch__recommendation", "dispatch__body")
            .order_by("requested_on", "pk")
        ),
        answers=list(
            Dispatch.objects.filter(
                Q(recommendation__council_id__in=council_ids)
                | (Q(recommendation__council__isnull=True) if is_coordination_centre(user) else Q(pk__in=[])),
                answered_on__gte=today - timedelta(days=30),
            )
            .select_related("recommendation", "body")
            .order_by("-answered_on", "-pk")
        ),
    )


@dataclass(frozen=True)
class LadderStep:
    on: date
    who: str
    what: str
    done: bool


def escalation_ladder(
    dispatch: Dispatch, today: date | None = None, computed: Clock | None = None
) -> list[LadderStep]:
    """The reminders and escalations of one clock, with their dates; shown publicly on the page."""
    today = today or timezone.localdate()
    computed = computed or clock(dispatch, today, explain=False)
    labels = {
        "due_soon": (
            _("the body's officers"),
            _("reminder: %(n)s working days left") % {"n": computed.rule.due_soon if computed.rule else ""},
        ),
        "due_tomorrow": (_("the body's officers"), _("reminder: last working day ahead")),
        "overdue": (_("the body's officers and the council's secretary"), _("overdue notice")),
        "overdue_weekly": (_("the body's officers"), _("weekly reminder while overdue")),
        "long_overdue": (_("the coordination centre"), _("escalation: long overdue")),
    }
    end = computed.answered_on or today
    return [
        LadderStep(
            on=step.on, who=str(labels[step.step][0]), what=str(labels[step.step][1]), done=step.on <= end
        )
        for step in ladder(computed)
        if computed.answered_on is None or step.on <= computed.answered_on
    ]


def explanation(computed: Clock) -> list[str]:
    """How the due date was computed, in words: the rule, skipped days off, pauses and extensions."""
    if computed.sent_on is None:
        return []
    lines = [
        _("Sent on %(sent)s; %(n)s working days to answer.")
        % {"sent": computed.sent_on.strftime("%d.%m.%Y"), "n": computed.rule.due}
    ]
    for info in computed.days_off:
        lines.append(
            _("%(day)s skipped: %(reason)s") % {"day": info.day.strftime("%d.%m.%Y"), "reason": info.reason}
        )
    for pause in computed.pauses:
        if pause.end:
            lines.append(
                _("Paused from %(start)s to %(end)s for a clarification; %(left)s working days were left.")
                % {
                    "start": pause.start.strftime("%d.%m.%Y"),
                    "end": pause.end.strftime("%d.%m.%Y"),
                    "left": pause.working_days_left,
                }
            )
        else:
            lines.append(
                _("Paused since %(start)s for a clarification; %(left)s working days are left.")
                % {"start": pause.start.strftime("%d.%m.%Y"), "left": pause.working_days_left}
            )
    for extension in computed.extensions:
        lines.append(
            _("Extended by %(n)s working days on %(day)s: %(reason)s")
            % {
                "n": extension.working_days,
                "day": extension.granted_on.strftime("%d.%m.%Y"),
                "reason": extension.reason,
            }
        )
    if computed.due_on:
        lines.append(_("Due on %(due)s.") % {"due": computed.due_on.strftime("%d.%m.%Y")})
    return lines


def body_officer_bodies(user) -> QuerySet[StateBody]:
    return StateBody.objects.filter(pk__in=_scoped_ids(user, Role.STATE_BODY_OFFICER, StateBody))


def holders_of(body: StateBody) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(
        role=Role.STATE_BODY_OFFICER,
        content_type=ContentType.objects.get_for_model(StateBody),
        object_id=body.pk,
    )


# --- Public accountability pages (DESIGN §4): every figure comes from ``metrics`` ------------------


@dataclass(frozen=True)
class PeriodChoice:
    period: metrics.Period
    previous: metrics.Period
    year: int | None
    quarter: int | None
    label: str

    @property
    def query(self) -> str:
        """The period as query parameters, to carry it into links and exports."""
        if self.year is None:
            return ""
        return f"year={self.year}" + (f"&quarter={self.quarter}" if self.quarter else "")


def period_choice(params, today: date | None = None) -> PeriodChoice:
    """The period a public page shows: ``?year=2026`` or ``?year=2026&quarter=3``; by default the last
    12 months up to today. The previous period is the year or quarter before, or the 12 months before.
    Unreadable values fall back to the default."""
    today = today or timezone.localdate()
    try:
        year = int(params.get("year", ""))
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        try:
            year_ago = today.replace(year=today.year - 1)
        except ValueError:  # 29 February
            year_ago = date(today.year - 1, 2, 28)
        start = year_ago + timedelta(days=1)
        length = today - start
        previous = metrics.Period(start - length - timedelta(days=1), start - timedelta(days=1))
        return PeriodChoice(metrics.Period(start, today), previous, None, None, str(_("the last 12 months")))
    try:
        quarter = int(params.get("quarter", ""))
        if not 1 <= quarter <= 4:
            raise ValueError
    except ValueError:
        quarter = None
    if quarter is None:
        return PeriodChoice(
            metrics.Period(date(year, 1, 1), date(year, 12, 31)),
            metrics.Period(date(year - 1, 1, 1), date(year - 1, 12, 31)),
            year,
            None,
            str(year),
        )

    def quarter_period(y: int, q: int) -> metrics.Period:
        start = date(y, 3 * q - 2, 1)
        end = date(y + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
        return metrics.Period(start, end)

    previous = quarter_period(year - 1, 4) if quarter == 1 else quarter_period(year, quarter - 1)
    return PeriodChoice(quarter_period(year, quarter), previous, year, quarter, f"{year}-Q{quarter}")


SCOPE_MODELS = {"body": StateBody, "council": Council, "region": Region}


def scope_object(scope: str, code: str):
    """What a public scope names: a state body, council or region by its code, or None for the
    country (scope ``national``, code ``all``). ``LookupError`` when it names nothing."""
    if scope == "national" and code == "all":
        return None
    model = SCOPE_MODELS.get(scope)
    found = model.objects.filter(code=code).first() if model else None
    if found is None:
        raise LookupError(f"no {scope} {code!r}")
    return found


def scope_bodies(scope: str, obj) -> Q | None:
    """The scope as a filter on the addressee, when it is made of whole state bodies (a body, a
    region, the country): then its rates are read from the tally. A council's scope is not."""
    return {"body": Q(body=obj), "region": Q(body__region=obj), "national": Q()}.get(scope)


def scope_dispatches(scope: str, obj) -> QuerySet[Dispatch]:
    """The dispatches a body, a council or a region is measured on. A region measures the state bodies
    located in it (the accountable side); a council measures what it sent, to any body."""
    if scope == "body":
        return Dispatch.objects.filter(body=obj)
    if scope == "council":
        return Dispatch.objects.filter(recommendation__council=obj)
    if scope == "region":  # the region's few bodies first, so each is one index range
        return Dispatch.objects.filter(
            body__in=list(StateBody.all_objects.filter(region=obj).values_list("pk", flat=True))
        )
    return Dispatch.objects.all()


@dataclass(frozen=True)
class ScopeMetrics:
    period: metrics.Period
    as_of: date
    response_rate: metrics.Ratio
    on_time_rate: metrics.Ratio
    overdue_backlog: metrics.Distribution
    time_to_response: metrics.Distribution
    decision_mix: dict[str, metrics.Ratio]
    reasoned_rejection_rate: metrics.Ratio
    implementation_rate_by_cohort: dict[str, metrics.Ratio]
    promise_keeping_rate: metrics.Ratio
    verification_gap: metrics.VerificationGap


def scope_metrics(scope: str, obj, period: metrics.Period, today: date | None = None) -> ScopeMetrics:
    """All the DESIGN §4 metrics of one scope (``body``, ``council``, ``region`` or ``national``) for
    one period, in a fixed number of queries; the rates and the decision mix come from the tally when
    the scope is made of whole bodies. The backlog is taken on the period's last day, or today while
    the period is running."""
    dispatches, bodies = scope_dispatches(scope, obj), scope_bodies(scope, obj)
    today = today or timezone.localdate()
    as_of = min(period.end, today)
    if bodies is None:
        rates, mix = metrics.rates(dispatches, period), metrics.decision_mix(dispatches, period)
    else:
        rates, mix = metrics.tallied_rates(period, bodies), metrics.tallied_decision_mix(period, bodies)
    return ScopeMetrics(
        period=period,
        as_of=as_of,
        response_rate=rates.response,
        on_time_rate=rates.on_time,
        overdue_backlog=metrics.overdue_backlog(dispatches, as_of),
        time_to_response=metrics.time_to_response(dispatches, period),
        decision_mix=mix,
        reasoned_rejection_rate=metrics.reasoned_rejection_rate(dispatches, period),
        implementation_rate_by_cohort=metrics.implementation_rate_by_cohort(dispatches, period),
        promise_keeping_rate=metrics.promise_keeping_rate(dispatches, period),
        verification_gap=metrics.verification_gap(dispatches),
    )


def scoreboard_min_sample() -> int:
    return int(
        getattr(settings, "KENES_SCOREBOARD_MIN_SAMPLE", os.environ.get("KENES_SCOREBOARD_MIN_SAMPLE", 10))
    )


@dataclass
class ScoreRow:
    body: StateBody
    on_time: metrics.Ratio
    response: metrics.Ratio
    previous: metrics.Ratio
    ranked: bool
    rank: int | None = None
    group_label: str = ""
    url: str = ""  # the body's page, set by the view
    lower_bound: float | None = None  # Wilson lower bound of the on-time rate: the ranking score
    # Change of the on-time rate against the previous period, when both samples are large enough.
    change: float | None = None

    @classmethod
    def make(cls, body, now: metrics.Rates, before: metrics.Rates, minimum: int, label: str) -> ScoreRow:
        ranked = now.on_time.denominator >= minimum
        comparable = ranked and before.on_time.denominator >= minimum
        return cls(
            body,
            now.on_time,
            now.response,
            before.on_time,
            ranked,
            group_label=label,
            lower_bound=now.on_time.wilson_lower_bound(),
            change=now.on_time.value - before.on_time.value if comparable else None,
        )

    @property
    def change_points(self) -> float | None:
        return None if self.change is None else 100 * self.change


@dataclass(frozen=True)
class PeerGroup:
    level: str
    kind: str
    label: str
    rows: list[ScoreRow]


@dataclass(frozen=True)
class Scoreboard:
    min_sample: int
    groups: list[PeerGroup]
    most_improved: list[ScoreRow]


def scoreboard(choice: PeriodChoice) -> Scoreboard:
    """The national scoreboard: every state body with clocks due in the period (or the previous one),
    compared within its peer group (level and kind), ranked by the Wilson lower bound of the on-time
    rate when its sample reaches the minimum; and the bodies whose on-time rate rose most. Three
    queries whatever the number of bodies."""
    minimum = scoreboard_min_sample()
    current = metrics.tallied_rates_by_body(choice.period)
    previous = metrics.tallied_rates_by_body(choice.previous)
    empty = metrics.Rates(metrics.Ratio(0, 0), metrics.Ratio(0, 0))
    bodies = StateBody.all_objects.filter(pk__in=set(current) | set(previous))
    groups: dict[tuple[str, str], list[ScoreRow]] = {}
    labels = {}
    for body in bodies:
        now, before = current.get(body.pk, empty), previous.get(body.pk, empty)
        key = (body.level, body.kind)
        if key not in labels:
            labels[key] = f"{body.get_level_display()} · {body.get_kind_display()}"
        groups.setdefault(key, []).append(ScoreRow.make(body, now, before, minimum, labels[key]))
    level_order = {value: i for i, value in enumerate(StateBody.Level.values)}
    kind_order = {value: i for i, value in enumerate(StateBody.Kind.values)}
    result = []
    for key in sorted(groups, key=lambda k: (level_order.get(k[0], 9), kind_order.get(k[1], 9))):
        rows = groups[key]
        ranked = sorted(
            (r for r in rows if r.ranked), key=lambda r: (-r.lower_bound, -r.on_time.denominator, r.body.name)
        )
        for position, row in enumerate(ranked, start=1):
            row.rank = position
        unranked = sorted((r for r in rows if not r.ranked), key=lambda r: r.body.name)
        result.append(PeerGroup(key[0], key[1], labels[key], ranked + unranked))
    improved = sorted(
        (r for group in result for r in group.rows if r.change is not None),
        key=lambda r: (-r.change, r.body.name),
    )
    return Scoreboard(minimum, result, improved)


@dataclass(frozen=True)
class Awaiting:
    dispatch: Dispatch
    state: ClockState
    working_days_waiting: int

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def awaiting_dispatches() -> QuerySet[Dispatch]:
    """Sent clocks without an answer, longest waiting first (the earliest sent waits the most working
    days, so the order is the database's)."""
    return (
        Dispatch.objects.filter(sent_on__isnull=False, answered_on__isnull=True)
        .select_related("recommendation__council", "body")
        .order_by("sent_on", "pk")
    )


def awaiting_rows(dispatches, today: date | None = None) -> list[Awaiting]:
    """One page of ``awaiting_dispatches`` with each clock's state and working days since sending,
    from the cached clock columns and one calendar read (no query per row). The state follows
    ``workflows.clock`` exactly; a test compares the two."""
    today = today or timezone.localdate()
    dispatches = list(dispatches)
    if not dispatches:
        return []
    dates = [d.sent_on for d in dispatches] + [d.due_on for d in dispatches if d.due_on]
    start, end = min(dates), max([today, *dates])
    count_to = metrics.working_day_counter(start, end)
    rows = []
    for d in dispatches:
        if d.paused_since or d.due_on is None:
            state = ClockState.PAUSED
        elif today <= d.due_on:
            left = count_to(d.due_on) - count_to(today)
            due_soon = rule_for(d.body).due_soon
            state = ClockState.DUE_SOON if left <= due_soon else ClockState.RUNNING
        elif count_to(today) - count_to(d.due_on) == 0:
            state = ClockState.DUE_SOON
        elif d.long_overdue_on and today >= d.long_overdue_on:
            state = ClockState.LONG_OVERDUE
        else:
            state = ClockState.OVERDUE
        waited = count_to(min(today, end)) - count_to(d.sent_on) if today >= d.sent_on else 0
        rows.append(Awaiting(d, state, waited))
    return rows
