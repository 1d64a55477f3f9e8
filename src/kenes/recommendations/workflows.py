"""The recommendation's states, the response clock and the commitment's states, as data.

Recommendation:  draft ──adopt──▶ adopted ──send──▶ sent        (withdraw: draft/adopted ──▶ withdrawn)

Response clock of one addressee (``clock`` below — the ONE place it is computed):
    not sent ──send──▶ running ──(5 working days before due)──▶ due soon ──(next working day after
    due)──▶ overdue ──(long-overdue date)──▶ long overdue;  any running state ──answer──▶ answered.
    A clarification request pauses it (paused), the council's clarification resumes it with the
    working days that were left; an extension adds working days; "not competent" answers this clock
    and starts a new one at the competent body.

Commitment:  planned ──start──▶ in progress ──claim──▶ claimed ──confirm──▶ verified
                                                         └──dispute──▶ disputed ──claim──▶ claimed …
             planned / in progress / disputed ──not_implemented──▶ not implemented (council, after the
             promised date)

Defaults follow the Law «On Public Control» (2023), Art. 13, and are configured by settings
(``KENES_RESPONSE_DUE_WORKING_DAYS``, ``KENES_LONG_OVERDUE_WORKING_DAYS``,
``KENES_DUE_SOON_WORKING_DAYS``, ``KENES_RESPONSE_CLOCK_OVERRIDES`` per body kind or level). The rule
in force when a clock starts is copied onto the dispatch, so changing a setting never moves the
deadline of a letter already sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.core.workcalendar import (
    DayInfo,
    add_working_days,
    days_off_between,
    is_working_day,
    subtract_working_days,
    working_days_between,
)

from .models import Commitment, Dispatch, Recommendation

R = Recommendation.Status
C = Commitment.Status


# --- The rule -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockRule:
    due: int  # working days after sending
    long_overdue: int  # working days after sending (before pauses and extensions)
    due_soon: int  # working days before the due date that count as "due soon"


def rule_for(body) -> ClockRule:
    """The response rule for a state body: an override for its kind, else for its level, else defaults."""
    overrides = settings.KENES_RESPONSE_CLOCK_OVERRIDES or {}
    chosen = overrides.get(getattr(body, "kind", ""), None) or overrides.get(getattr(body, "level", ""), {})
    due = int(chosen.get("due", settings.KENES_RESPONSE_DUE_WORKING_DAYS))
    long_overdue = int(chosen.get("long_overdue", settings.KENES_LONG_OVERDUE_WORKING_DAYS))
    return ClockRule(
        due=due,
        long_overdue=max(long_overdue, due + 1),
        due_soon=int(chosen.get("due_soon", settings.KENES_DUE_SOON_WORKING_DAYS)),
    )


# --- The clock ------------------------------------------------------------------------------------


class ClockState(StrEnum):
    NOT_SENT = "not_sent"
    RUNNING = "running"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    LONG_OVERDUE = "long_overdue"
    PAUSED = "paused"
    ANSWERED = "answered"


STATE_LABELS = {
    ClockState.NOT_SENT: _("not sent yet"),
    ClockState.RUNNING: _("awaiting the answer"),
    ClockState.DUE_SOON: _("due soon"),
    ClockState.OVERDUE: _("overdue"),
    ClockState.LONG_OVERDUE: _("long overdue"),
    ClockState.PAUSED: _("paused for a clarification"),
    ClockState.ANSWERED: _("answered"),
}
OPEN_STATES = frozenset(
    {ClockState.RUNNING, ClockState.DUE_SOON, ClockState.OVERDUE, ClockState.LONG_OVERDUE}
)


@dataclass(frozen=True)
class Pause:
    start: date
    end: date | None  # None: still waiting for the council's clarification
    working_days_left: int  # at the moment the clock stopped


@dataclass(frozen=True)
class ExtensionStep:
    working_days: int
    reason: str
    granted_on: date


@dataclass(frozen=True)
class Clock:
    state: ClockState
    sent_on: date | None = None
    due_on: date | None = None  # None while not sent or paused
    long_overdue_on: date | None = None
    working_days_left: int | None = None  # until due (running, due soon, paused)
    working_days_overdue: int = 0  # working days after the due date (today, or on the answer day)
    answered_on: date | None = None
    on_time: bool | None = None  # answered by the due date
    working_days_taken: int | None = None  # working days the body used, pauses excluded
    rule: ClockRule | None = None
    pauses: list[Pause] = field(default_factory=list)
    extensions: list[ExtensionStep] = field(default_factory=list)
    days_off: list[DayInfo] = field(default_factory=list)  # skipped between sending and the due date

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


def _deadlines(
    sent_on: date,
    rule: ClockRule,
    pauses: Iterable[tuple[date, date | None]],
    extension_days: int,
    today: date,
) -> tuple[date | None, date | None, list[Pause], int]:
    """The due and long-overdue dates after pauses and extensions, the pauses, and paused working days."""
    due = add_working_days(sent_on, rule.due)
    steps, paused = [], 0
    for start, end in sorted(pauses, key=lambda p: p[0]):
        if start > due:
            continue  # asked after the deadline: services refuse it, and it never stops the clock
        left = working_days_between(start, due)
        if end is None:
            steps.append(Pause(start, None, left))
            paused += working_days_between(start, today)
            return None, None, steps, paused
        steps.append(Pause(start, end, left))
        paused += working_days_between(start, end)
        due = add_working_days(end, left)
    if extension_days:
        due = add_working_days(due, extension_days)
    long_overdue = add_working_days(due, rule.long_overdue - rule.due)
    return due, long_overdue, steps, paused


def clock(
    dispatch: Dispatch,
    today: date | None = None,
    *,
    clarifications=None,
    extensions=None,
    explain: bool = True,
) -> Clock:
    """The response clock of ``dispatch`` on ``today``, computed from its dates and the work calendar.

    ``clarifications`` and ``extensions`` may be passed when the caller already loaded them (lists);
    otherwise they are read (prefetched relations are used). ``explain`` adds the skipped days off.
    """
    today = today or timezone.localdate()
    if dispatch.sent_on is None:
        return Clock(state=ClockState.NOT_SENT)
    rule = (
        ClockRule(
            due=dispatch.due_working_days,
            long_overdue=dispatch.long_overdue_working_days or dispatch.due_working_days + 10,
            due_soon=rule_for(dispatch.body).due_soon,
        )
        if dispatch.due_working_days
        else rule_for(dispatch.body)
    )
    if clarifications is None:
        clarifications = list(dispatch.clarifications.all())
    if extensions is None:
        extensions = list(dispatch.extensions.all())
    answered_on = dispatch.answered_on
    horizon = answered_on or today
    pauses = [
        (c.requested_on, c.answered_on if c.answered_on and c.answered_on <= horizon else None)
        for c in clarifications
        if c.requested_on <= horizon
    ]
    extension_steps = [
        ExtensionStep(e.working_days, e.reason, e.granted_on) for e in extensions if e.granted_on <= horizon
    ]
    due, long_overdue, pause_steps, paused = _deadlines(
        dispatch.sent_on, rule, pauses, sum(e.working_days for e in extension_steps), horizon
    )
    common = {"sent_on": dispatch.sent_on, "rule": rule, "pauses": pause_steps, "extensions": extension_steps}
    if due is None:  # paused
        return Clock(
            state=ClockState.ANSWERED if answered_on else ClockState.PAUSED,
            working_days_left=pause_steps[-1].working_days_left,
            answered_on=answered_on,
            on_time=True if answered_on else None,
            working_days_taken=(
                working_days_between(dispatch.sent_on, answered_on) - paused if answered_on else None
            ),
            **common,
        )
    days_off = days_off_between(dispatch.sent_on, due) if explain else []
    common.update(due_on=due, long_overdue_on=long_overdue, days_off=days_off)
    if answered_on:
        return Clock(
            state=ClockState.ANSWERED,
            answered_on=answered_on,
            on_time=answered_on <= due,
            working_days_overdue=max(0, working_days_between(due, answered_on)),
            working_days_taken=working_days_between(dispatch.sent_on, answered_on) - paused,
            **common,
        )
    if today <= due:
        left = working_days_between(today, due)
        state = ClockState.DUE_SOON if left <= rule.due_soon else ClockState.RUNNING
        return Clock(state=state, working_days_left=left, **common)
    overdue = working_days_between(due, today)
    if overdue == 0:  # a day off right after the due date: overdue starts on the next working day
        return Clock(state=ClockState.DUE_SOON, working_days_left=0, **common)
    state = ClockState.LONG_OVERDUE if today >= long_overdue else ClockState.OVERDUE
    return Clock(state=state, working_days_overdue=overdue, **common)


# --- The escalation ladder -----------------------------------------------------------------------
# The reminders of one clock, as dates: the sweep sends each step on (or after) its date, once; the
# recommendation's page shows the same steps publicly.

WEEK = timedelta(days=7)


def first_day_with_left(due: date, left: int) -> date:
    """The first day on which only ``left`` working days remain until ``due``."""
    day = subtract_working_days(due, left)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True)
class LadderStep:
    step: str  # due_soon, due_tomorrow, overdue, overdue_weekly, long_overdue
    on: date


def ladder(computed: Clock) -> list[LadderStep]:
    """The steps of a running clock with their dates (the weekly reminders: the first one only)."""
    if computed.due_on is None:
        return []
    due, rule = computed.due_on, computed.rule
    first_overdue = add_working_days(due, 1)
    return [
        LadderStep("due_soon", first_day_with_left(due, rule.due_soon)),
        LadderStep("due_tomorrow", first_day_with_left(due, 1)),
        LadderStep("overdue", first_overdue),
        LadderStep("overdue_weekly", first_overdue + WEEK),
        LadderStep("long_overdue", computed.long_overdue_on),
    ]


def next_reminder_on(computed: Clock, after: date) -> date | None:
    """The first day after ``after`` on which the ladder of an open clock has a step to send."""
    if not computed.is_open:
        return None
    steps = ladder(computed)
    dates = [step.on for step in steps if step.on > after]
    first_overdue = steps[2].on
    if after >= first_overdue:  # the weekly reminders go on while the clock stays overdue
        dates.append(first_overdue + WEEK * ((after - first_overdue).days // 7 + 1))
    return min(dates) if dates else None


# --- Transitions as data --------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    sources: frozenset[str]
    target: str
    permission: str
    needs_reason: bool = False


RECOMMENDATION_TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "adopt",
            _("Sign as adopted"),
            frozenset({R.DRAFT}),
            R.ADOPTED,
            "recommendations.sign_recommendation",
        ),
        Transition("send", _("Send"), frozenset({R.ADOPTED}), R.SENT, "recommendations.send_recommendation"),
        Transition(
            "withdraw",
            _("Withdraw"),
            frozenset({R.DRAFT, R.ADOPTED}),
            R.WITHDRAWN,
            "recommendations.draft_recommendation",
            needs_reason=True,
        ),
    ]
}
EDITABLE = frozenset({R.DRAFT})

COMMITMENT_TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "start",
            _("Start work"),
            frozenset({C.PLANNED}),
            C.IN_PROGRESS,
            "recommendations.manage_commitments",
        ),
        Transition(
            "claim",
            _("Report as implemented"),
            frozenset({C.PLANNED, C.IN_PROGRESS, C.DISPUTED}),
            C.CLAIMED,
            "recommendations.manage_commitments",
        ),
        Transition(
            "confirm",
            _("Confirm implementation"),
            frozenset({C.CLAIMED}),
            C.VERIFIED,
            "recommendations.verify_implementation",
        ),
        Transition(
            "dispute",
            _("Dispute implementation"),
            frozenset({C.CLAIMED}),
            C.DISPUTED,
            "recommendations.verify_implementation",
            needs_reason=True,
        ),
        Transition(
            "not_implemented",
            _("Record as not implemented"),
            frozenset({C.PLANNED, C.IN_PROGRESS, C.DISPUTED}),
            C.NOT_IMPLEMENTED,
            "recommendations.verify_implementation",
            needs_reason=True,
        ),
    ]
}
MOVABLE = frozenset({C.PLANNED, C.IN_PROGRESS, C.DISPUTED})  # a promised date can still slip

# What a body may do with a clock in which state; services enforce these, pages offer only them.
ANSWERABLE = OPEN_STATES
CLARIFIABLE = frozenset({ClockState.RUNNING, ClockState.DUE_SOON})  # a question stops a running clock
EXTENDABLE = OPEN_STATES | {ClockState.PAUSED}


def available(transitions: dict[str, Transition], obj, status: str, user) -> list[Transition]:
    return [t for t in transitions.values() if status in t.sources and user.has_perm(t.permission, obj)]
