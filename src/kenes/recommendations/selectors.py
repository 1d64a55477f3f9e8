"""Reads of recommendations: visibility, pages, task lists by urgency, the escalation ladder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.core.models import Role, RoleAssignment, StateBody
from kenes.core.rules import is_coordination_centre, role_keys
from kenes.councils.models import Council

from .models import Claim, Commitment, Dispatch, Hearing, Recommendation, Response, Verification
from .workflows import Clock, ClockState, clock, ladder

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
