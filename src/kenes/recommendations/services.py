"""Writes of recommendations. Each checks the acting user's permission on the object (``None`` is the
system itself: the demo generator, the worker), validates, changes, writes the audit log in the same
transaction and tells the people concerned through ``notify`` (each event once).

Concurrent edits: every write on a clock locks its dispatch row (``select_for_update``), so two
officers answering at once are serialised and the second sees the first's answer; edits of a draft,
an answer's text or a promised date carry the ``version`` the user read, and a stale version is
refused instead of overwriting the other write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenes.core import workcalendar
from kenes.core.audit import field_changes, log_action, register_actions
from kenes.core.models import Role, RoleAssignment, StateBody, User
from kenes.core.notify import notify
from kenes.core.rules import require
from kenes.core.uploads import EVIDENCE_KINDS, JPEG, PNG, check_upload
from kenes.core.workcalendar import add_working_days, working_days_between
from kenes.councils.models import Council
from kenes.issues.models import Issue, Problem
from kenes.meetings.models import Decision, MeetingKind

from .models import (
    Answer,
    Basis,
    Claim,
    Clarification,
    Commitment,
    Dispatch,
    Evidence,
    Extension,
    Hearing,
    Recommendation,
    RejectionReason,
    Response,
    Slip,
    Verification,
)
from .workflows import (
    ANSWERABLE,
    CLARIFIABLE,
    COMMITMENT_TRANSITIONS,
    EDITABLE,
    EXTENDABLE,
    MOVABLE,
    RECOMMENDATION_TRANSITIONS,
    Clock,
    ClockState,
    clock,
    next_reminder_on,
    rule_for,
)

register_actions(
    {
        "recommendations.recommendation.drafted": gettext_lazy("recommendation drafted"),
        "recommendations.recommendation.changed": gettext_lazy("recommendation draft edited"),
        "recommendations.recommendation.adopt": gettext_lazy("recommendation adopted and signed"),
        "recommendations.recommendation.send": gettext_lazy("recommendation sent"),
        "recommendations.recommendation.withdraw": gettext_lazy("recommendation withdrawn"),
        "recommendations.clarification.requested": gettext_lazy("clarification requested: clock paused"),
        "recommendations.clarification.answered": gettext_lazy("clarification given: clock resumed"),
        "recommendations.extension.granted": gettext_lazy("deadline extended"),
        "recommendations.hearing.offered": gettext_lazy("hearing offered"),
        "recommendations.hearing.recorded": gettext_lazy("hearing recorded"),
        "recommendations.response.given": gettext_lazy("answered"),
        "recommendations.response.edited": gettext_lazy("answer text edited"),
        "recommendations.response.corrected": gettext_lazy("answer corrected"),
        "recommendations.dispatch.redirected": gettext_lazy("redirected to the competent body"),
        "recommendations.commitment.added": gettext_lazy("commitment made"),
        "recommendations.commitment.moved": gettext_lazy("promised date moved"),
        "recommendations.commitment.start": gettext_lazy("work started"),
        "recommendations.commitment.claim": gettext_lazy("implementation claimed"),
        "recommendations.commitment.confirm": gettext_lazy("implementation confirmed"),
        "recommendations.commitment.dispute": gettext_lazy("implementation disputed"),
        "recommendations.commitment.not_implemented": gettext_lazy("recorded as not implemented"),
        "recommendations.token.created": gettext_lazy("API token created"),
        "recommendations.token.revoked": gettext_lazy("API token revoked"),
    }
)

MIN_REJECTION_TEXT = 40  # characters of reasons a rejection needs: "substantive", not "no"
MAX_EXTENSION_WORKING_DAYS = 60


def _today() -> date:
    return timezone.localdate()


def _url(recommendation: Recommendation) -> str:
    return reverse("recommendations:detail", args=[recommendation.pk])


def _lock(dispatch: Dispatch) -> Dispatch:
    return (
        Dispatch.objects.select_for_update(of=("self",))
        .select_related("recommendation__council", "body")
        .get(pk=dispatch.pk)
    )


# --- Who is told ----------------------------------------------------------------------------------


def _holders(roles: Sequence[str], target=None) -> QuerySet[User]:
    assignments = RoleAssignment.objects.filter(role__in=roles)
    if target is None:
        assignments = assignments.filter(content_type__isnull=True)
    else:
        assignments = assignments.filter(
            content_type=ContentType.objects.get_for_model(target), object_id=target.pk
        )
    return User.objects.filter(pk__in=assignments.values("user"), is_active=True)


def body_officers(body: StateBody) -> QuerySet[User]:
    return _holders([Role.STATE_BODY_OFFICER], body)


def council_secretaries(recommendation: Recommendation) -> QuerySet[User]:
    """The council's secretaries (its chairs when it has none); the coordinators for a central one."""
    if recommendation.council_id is None:
        return coordinators()
    secretaries = _holders([Role.COUNCIL_SECRETARY], recommendation.council)
    return secretaries if secretaries.exists() else _holders([Role.COUNCIL_CHAIR], recommendation.council)


def coordinators() -> QuerySet[User]:
    return _holders([Role.COORDINATOR])


def _tell(recipients, key: str, event: str, dispatch: Dispatch, **context) -> int:
    if not recipients:  # the sweep asks for every clock; most bodies have no officer here yet
        return 0
    recommendation = dispatch.recommendation
    return len(
        notify(
            recipients=recipients,
            key=key,
            template=f"recommendations/mail/{event}",
            context={"recommendation": recommendation, "dispatch": dispatch, **context},
            url=_url(recommendation),
            about=dispatch,
        )
    )


# --- The clock cache ------------------------------------------------------------------------------


def dispatch_refresh(
    *, dispatch: Dispatch, today: date | None = None, swept: bool = False, computed: Clock | None = None
) -> bool:
    """Store the clock's dates on the dispatch (the cache aggregates and the sweep use); returns
    whether they changed. After an event the sweep looks at the clock again that night
    (``next_reminder_on`` = today); after the sweep itself, on the ladder's next step."""
    today = today or _today()
    computed = computed or clock(dispatch, today, explain=False)
    paused_since = computed.pauses[-1].start if computed.state == ClockState.PAUSED else None
    next_on = (next_reminder_on(computed, today) if swept else today) if computed.is_open else None
    values = {
        "due_on": computed.due_on,
        "long_overdue_on": computed.long_overdue_on,
        "paused_since": paused_since,
        "working_days_taken": computed.working_days_taken,
        "next_reminder_on": next_on,
    }
    if all(getattr(dispatch, name) == value for name, value in values.items()):
        return False
    for name, value in values.items():
        setattr(dispatch, name, value)
    Dispatch.objects.filter(pk=dispatch.pk).update(**values)
    return True


def _start_clock(dispatch: Dispatch, sent_on: date) -> None:
    rule = rule_for(dispatch.body)
    dispatch.sent_on = sent_on
    dispatch.due_working_days = rule.due
    dispatch.long_overdue_working_days = rule.long_overdue
    dispatch.save(update_fields=["sent_on", "due_working_days", "long_overdue_working_days"])
    dispatch_refresh(dispatch=dispatch, today=sent_on)


# --- Recommendations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonitoringReference:
    """A monitoring report named by its reference and link (the programmes app will give it a row)."""

    reference: str
    url: str = ""


def _basis_row(recommendation: Recommendation, source) -> Basis:
    council = recommendation.council
    if isinstance(source, Decision):
        return Basis(recommendation=recommendation, kind=Basis.Kind.DECISION, decision=source)
    if isinstance(source, Issue):
        if council is not None and source.council_id != council.pk:
            raise ValidationError(_("A council's recommendation rests on the council's own issues."))
        return Basis(recommendation=recommendation, kind=Basis.Kind.ISSUE, issue=source)
    if isinstance(source, Problem):
        return Basis(recommendation=recommendation, kind=Basis.Kind.PROBLEM, problem=source)
    if isinstance(source, MonitoringReference):
        if not source.reference.strip():
            raise ValidationError(_("Name the monitoring report."))
        if source.url:
            URLValidator(schemes=["http", "https"])(source.url)
        return Basis(
            recommendation=recommendation,
            kind=Basis.Kind.MONITORING,
            reference=source.reference.strip()[:300],
            url=source.url,
        )
    raise ValidationError(_("Unknown kind of basis."))


def _check_decision(council: Council | None, decision: Decision) -> None:
    meeting = decision.item.meeting
    if council is None:
        if meeting.kind != MeetingKind.COORDINATION:
            raise ValidationError(
                {"decision": _("A central recommendation follows a decision of a coordination meeting.")}
            )
    elif meeting.council_id != council.pk:
        raise ValidationError({"decision": _("The decision must be one of this council's meetings.")})


@transaction.atomic
def recommendation_draft(
    *,
    council: Council | None,
    title: str,
    text: str,
    bodies: Iterable[StateBody],
    decision: Decision | None = None,
    bases: Iterable = (),
    acting_user: User | None,
) -> Recommendation:
    """Draft a recommendation of ``council`` (None: a central one) to one or more state bodies.

    ``bases`` are meeting decisions, issues, national problems or ``MonitoringReference``s; the
    adopting ``decision`` (if known already) is recorded as a basis too.
    """
    recommendation = Recommendation(
        council=council, title=title.strip(), text=text.strip(), created_by=acting_user
    )
    require(acting_user, "recommendations.draft_recommendation", recommendation)
    bodies = list(dict.fromkeys(bodies))
    if not recommendation.title:
        raise ValidationError({"title": _("Give the recommendation a title.")})
    if not recommendation.text:
        raise ValidationError({"text": _("Write the text of the recommendation.")})
    if not bodies:
        raise ValidationError({"bodies": _("Name at least one state body it is addressed to.")})
    if any(body.is_retired for body in bodies):
        raise ValidationError({"bodies": _("A retired state body cannot receive recommendations.")})
    sources = list(bases)
    if decision is not None:
        _check_decision(council, decision)
        recommendation.decision = decision
        if decision not in sources:
            sources.insert(0, decision)
    if council is None and not any(isinstance(s, (Problem, Decision)) for s in sources):
        raise ValidationError(
            {"bases": _("A central recommendation rests on a national problem or a coordination decision.")}
        )
    recommendation.full_clean(exclude=["decision"])
    recommendation.save()
    Dispatch.objects.bulk_create([Dispatch(recommendation=recommendation, body=body) for body in bodies])
    Basis.objects.bulk_create([_basis_row(recommendation, source) for source in sources])
    log_action(
        recommendation,
        "recommendations.recommendation.drafted",
        actor=acting_user,
        data={"after": {"title": recommendation.title, "bodies": [b.code for b in bodies]}},
    )
    return recommendation


@transaction.atomic
def recommendation_update(
    *, recommendation: Recommendation, title: str, text: str, version: int, acting_user: User | None
) -> Recommendation:
    """Edit a draft; ``version`` is the one the editor read — a stale one is refused, never overwritten."""
    require(acting_user, "recommendations.draft_recommendation", recommendation)
    current = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if current.status not in EDITABLE:
        raise ValidationError(_("Only a draft can be edited; an adopted recommendation is signed."))
    if current.version != version:
        raise ValidationError(_("Someone else changed this draft meanwhile; reload it and edit again."))
    if not title.strip() or not text.strip():
        raise ValidationError(_("The title and the text cannot be empty."))
    before = {"title": current.title, "text": current.text}
    Recommendation.objects.filter(pk=current.pk, version=version).update(
        title=title.strip(), text=text.strip(), version=F("version") + 1, updated_at=timezone.now()
    )
    current.refresh_from_db()
    log_action(
        current,
        "recommendations.recommendation.changed",
        actor=acting_user,
        data=field_changes(before, {"title": current.title, "text": current.text}),
    )
    return current


def _transition(recommendation: Recommendation, name: str, acting_user: User | None) -> Recommendation:
    transition = RECOMMENDATION_TRANSITIONS[name]
    current = (
        Recommendation.objects.select_for_update(of=("self",))
        .select_related("council")
        .get(pk=recommendation.pk)
    )
    require(acting_user, transition.permission, current)
    if current.status not in transition.sources:
        raise ValidationError(
            _("This cannot be done while the recommendation is «%(status)s».")
            % {"status": current.get_status_display()}
        )
    return current


@transaction.atomic
def recommendation_adopt(
    *, recommendation: Recommendation, decision: Decision | None = None, acting_user: User | None
) -> Recommendation:
    """The chair signs the draft as adopted by the meeting's decision (which must be adopted)."""
    current = _transition(recommendation, "adopt", acting_user)
    decision = decision or current.decision
    if decision is None:
        raise ValidationError({"decision": _("Name the meeting decision that adopted the recommendation.")})
    _check_decision(current.council, decision)
    if decision.outcome != Decision.Outcome.ADOPTED:
        raise ValidationError({"decision": _("The meeting did not adopt this decision.")})
    if current.decision_id != decision.pk and not current.bases.filter(decision=decision).exists():
        Basis.objects.create(recommendation=current, kind=Basis.Kind.DECISION, decision=decision)
    current.decision = decision
    current.status = Recommendation.Status.ADOPTED
    current.adopted_on = timezone.localtime(decision.item.meeting.starts_at).date()
    current.signed_by = acting_user
    current.signed_at = timezone.now()
    current.version += 1
    current.save()
    log_action(
        current,
        "recommendations.recommendation.adopt",
        actor=acting_user,
        data={"after": {"status": current.status, "adopted_on": current.adopted_on, "decision": decision.pk}},
    )
    return current


@transaction.atomic
def recommendation_send(
    *, recommendation: Recommendation, acting_user: User | None, sent_on: date | None = None
) -> Recommendation:
    """Send an adopted recommendation to its addressees and start each body's response clock."""
    current = _transition(recommendation, "send", acting_user)
    sent_on = sent_on or _today()
    if sent_on > _today():
        raise ValidationError({"sent_on": _("The sending date cannot be in the future.")})
    if current.adopted_on and sent_on < current.adopted_on:
        raise ValidationError({"sent_on": _("A recommendation cannot be sent before it was adopted.")})
    current.status = Recommendation.Status.SENT
    current.sent_on = sent_on
    current.version += 1
    current.save(update_fields=["status", "sent_on", "version", "updated_at"])
    dispatches = list(current.dispatches.select_related("body").filter(sent_on__isnull=True))
    for dispatch in dispatches:
        _start_clock(dispatch, sent_on)
    log_action(
        current,
        "recommendations.recommendation.send",
        actor=acting_user,
        data={
            "after": {"status": current.status, "sent_on": sent_on},
            "due": {d.body.code: d.due_on for d in dispatches},
        },
    )
    for dispatch in dispatches:
        dispatch.recommendation = current
        _tell(body_officers(dispatch.body), f"recommendations.sent:{dispatch.pk}", "sent", dispatch)
    return current


@transaction.atomic
def recommendation_withdraw(
    *, recommendation: Recommendation, reason: str, acting_user: User | None
) -> Recommendation:
    current = _transition(recommendation, "withdraw", acting_user)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    before = current.status
    current.status = Recommendation.Status.WITHDRAWN
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    log_action(
        current,
        "recommendations.recommendation.withdraw",
        actor=acting_user,
        data={"before": {"status": before}, "after": {"status": current.status}, "reason": reason.strip()},
    )
    return current


# --- Pauses, extensions, hearings -----------------------------------------------------------------


def _state(dispatch: Dispatch, today: date) -> ClockState:
    return clock(dispatch, today, explain=False).state


@transaction.atomic
def clarification_request(*, dispatch: Dispatch, question: str, acting_user: User | None) -> Clarification:
    """The body asks the council what it means; the clock pauses until the council answers."""
    dispatch = _lock(dispatch)
    require(acting_user, "recommendations.request_clarification", dispatch)
    today = _today()
    if _state(dispatch, today) not in CLARIFIABLE:
        raise ValidationError(_("A clarification can be asked only while the answer is not yet due."))
    if not question.strip():
        raise ValidationError({"question": _("Write the question.")})
    clarification = Clarification.objects.create(
        dispatch=dispatch, question=question.strip(), requested_on=today, requested_by=acting_user
    )
    dispatch_refresh(dispatch=dispatch, today=today)
    log_action(
        dispatch,
        "recommendations.clarification.requested",
        actor=acting_user,
        data={"question": clarification.question, "requested_on": today},
    )
    _tell(
        council_secretaries(dispatch.recommendation),
        f"recommendations.clarification:{clarification.pk}",
        "clarification_requested",
        dispatch,
        clarification=clarification,
    )
    return clarification


@transaction.atomic
def clarification_answer(
    *, clarification: Clarification, answer: str, acting_user: User | None
) -> Clarification:
    """The council clarifies; the clock resumes with the working days that were left."""
    dispatch = _lock(clarification.dispatch)
    require(acting_user, "recommendations.clarify", dispatch)
    clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
    if clarification.answered_on is not None:
        raise ValidationError(_("This question was already answered."))
    if not answer.strip():
        raise ValidationError({"answer": _("Write the clarification.")})
    today = _today()
    clarification.answer, clarification.answered_on, clarification.answered_by = (
        answer.strip(),
        today,
        acting_user,
    )
    clarification.save(update_fields=["answer", "answered_on", "answered_by"])
    dispatch_refresh(dispatch=dispatch, today=today)
    log_action(
        dispatch,
        "recommendations.clarification.answered",
        actor=acting_user,
        data={"answered_on": today, "after": {"due_on": dispatch.due_on}},
    )
    _tell(
        body_officers(dispatch.body),
        f"recommendations.clarified:{clarification.pk}",
        "clarified",
        dispatch,
        clarification=clarification,
    )
    return clarification


@transaction.atomic
def extension_grant(
    *, dispatch: Dispatch, working_days: int, reason: str, acting_user: User | None
) -> Extension:
    """Give the body more working days to answer; the reason and the approver are recorded."""
    dispatch = _lock(dispatch)
    require(acting_user, "recommendations.approve_extension", dispatch)
    today = _today()
    if _state(dispatch, today) not in EXTENDABLE:
        raise ValidationError(_("Only a clock that is still running can be extended."))
    if not 0 < working_days <= MAX_EXTENSION_WORKING_DAYS:
        raise ValidationError(
            {
                "working_days": _("An extension adds 1 to %(max)s working days.")
                % {"max": MAX_EXTENSION_WORKING_DAYS}
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    before = dispatch.due_on
    extension = Extension.objects.create(
        dispatch=dispatch,
        working_days=working_days,
        reason=reason.strip(),
        approved_by=acting_user,
        granted_on=today,
    )
    dispatch_refresh(dispatch=dispatch, today=today)
    log_action(
        dispatch,
        "recommendations.extension.granted",
        actor=acting_user,
        data={
            "working_days": working_days,
            "reason": extension.reason,
            "before": {"due_on": before},
            "after": {"due_on": dispatch.due_on},
        },
    )
    _tell(
        body_officers(dispatch.body),
        f"recommendations.extension:{extension.pk}",
        "extension",
        dispatch,
        extension=extension,
    )
    return extension


def hearing_notice_days() -> int:
    return settings.KENES_HEARING_NOTICE_WORKING_DAYS


def earliest_hearing(today: date | None = None) -> date:
    """The first day a hearing offered today may take place (notice of N working days)."""
    return add_working_days(today or _today(), hearing_notice_days())


@transaction.atomic
def hearing_offer(*, dispatch: Dispatch, held_on: date, place: str, acting_user: User | None) -> Hearing:
    """The body offers the council a hearing, notified at least N working days ahead (Art. 13)."""
    dispatch = _lock(dispatch)
    require(acting_user, "recommendations.offer_hearing", dispatch)
    today = _today()
    if _state(dispatch, today) not in ANSWERABLE | {ClockState.PAUSED}:
        raise ValidationError(_("A hearing is offered before the answer is given."))
    if working_days_between(today, held_on) < hearing_notice_days():
        raise ValidationError(
            {
                "held_on": _(
                    "The council must be notified at least %(days)s working days ahead: the earliest date is %(date)s."
                )
                % {"days": hearing_notice_days(), "date": earliest_hearing(today).strftime("%d.%m.%Y")}
            }
        )
    if not place.strip():
        raise ValidationError({"place": _("Say where or how the hearing takes place.")})
    hearing = Hearing.objects.create(
        dispatch=dispatch, notified_on=today, held_on=held_on, place=place.strip(), offered_by=acting_user
    )
    log_action(
        dispatch,
        "recommendations.hearing.offered",
        actor=acting_user,
        data={"notified_on": today, "held_on": held_on, "place": hearing.place},
    )
    recommendation = dispatch.recommendation
    recipients = (
        _holders([Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR], recommendation.council)
        if recommendation.council_id
        else coordinators()
    )
    _tell(recipients, f"recommendations.hearing:{hearing.pk}", "hearing_offered", dispatch, hearing=hearing)
    return hearing


@transaction.atomic
def hearing_record(*, hearing: Hearing, outcome: str, acting_user: User | None) -> Hearing:
    """Record what the hearing found (either side may write it, on or after its day)."""
    dispatch = _lock(hearing.dispatch)
    if acting_user is not None and not (
        acting_user.has_perm("recommendations.offer_hearing", dispatch)
        or acting_user.has_perm("recommendations.clarify", dispatch)
    ):
        raise PermissionDenied(_("You do not have permission to do this."))
    if hearing.held_on > _today():
        raise ValidationError(_("A hearing is recorded on its day or later."))
    if not outcome.strip():
        raise ValidationError({"outcome": _("Write what the hearing found.")})
    hearing.outcome, hearing.recorded_by = outcome.strip(), acting_user
    hearing.save(update_fields=["outcome", "recorded_by"])
    log_action(dispatch, "recommendations.hearing.recorded", actor=acting_user, data={"hearing": hearing.pk})
    return hearing


# --- Responses ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentInput:
    action: str
    responsible_unit: str
    promised_on: date


def _check_commitments(commitments: Sequence[CommitmentInput], today: date) -> None:
    for number, item in enumerate(commitments, 1):
        if not item.action.strip() or not item.responsible_unit.strip():
            raise ValidationError(
                {
                    "commitments": _("Commitment %(n)s: name the action and the responsible unit.")
                    % {"n": number}
                }
            )
        if item.promised_on is None or item.promised_on < today:
            raise ValidationError(
                {
                    "commitments": _("Commitment %(n)s: the promised date cannot be in the past.")
                    % {"n": number}
                }
            )


def _held_hearing(dispatch: Dispatch, today: date) -> Hearing | None:
    """A hearing offered with due notice whose day has come — what a rejection needs first."""
    for hearing in dispatch.hearings.order_by("-held_on"):
        if (
            hearing.held_on <= today
            and working_days_between(hearing.notified_on, hearing.held_on) >= hearing_notice_days()
        ):
            return hearing
    return None


def _check_response(
    dispatch: Dispatch,
    *,
    answer: str,
    text: str,
    reason_code: str,
    redirect_to: StateBody | None,
    commitments: Sequence[CommitmentInput],
    today: date,
) -> Hearing | None:
    if answer not in Answer.values:
        raise ValidationError({"answer": _("Choose the answer.")})
    if not text.strip():
        raise ValidationError({"text": _("Give the reasons: each recommendation is answered with reasons.")})
    hearing = None
    if answer == Answer.REJECTED:
        if reason_code not in RejectionReason.values:
            raise ValidationError({"reason_code": _("A rejection needs a reason code.")})
        if len(text.strip()) < MIN_REJECTION_TEXT:
            raise ValidationError(
                {
                    "text": _("A rejection needs substantive reasons (at least %(n)s characters).")
                    % {"n": MIN_REJECTION_TEXT}
                }
            )
        hearing = _held_hearing(dispatch, today)
        if hearing is None:
            raise ValidationError(
                _(
                    "Before rejecting, offer the council a hearing notified at least %(days)s working days "
                    "ahead; the rejection can be given on or after the hearing's day."
                )
                % {"days": hearing_notice_days()}
            )
    if answer in (Answer.ACCEPTED, Answer.PARTIALLY):
        if not commitments:
            raise ValidationError(
                {"commitments": _("Accepting needs at least one commitment: action, unit, date.")}
            )
        _check_commitments(commitments, today)
    elif commitments:
        raise ValidationError({"commitments": _("Only an accepted recommendation carries commitments.")})
    if answer == Answer.NOT_COMPETENT:
        if redirect_to is None:
            raise ValidationError({"redirect_to": _("Name the body that is competent.")})
        if redirect_to.pk == dispatch.body_id:
            raise ValidationError({"redirect_to": _("Name another body than your own.")})
        if redirect_to.is_retired:
            raise ValidationError({"redirect_to": _("This body no longer exists.")})
        if Dispatch.objects.filter(recommendation=dispatch.recommendation_id, body=redirect_to).exists():
            raise ValidationError({"redirect_to": _("This body already has the recommendation.")})
    elif redirect_to is not None:
        raise ValidationError({"redirect_to": _("Only a «not competent» answer names another body.")})
    return hearing


def _add_commitments(
    dispatch: Dispatch, response: Response | None, commitments: Sequence[CommitmentInput]
) -> list[Commitment]:
    return Commitment.objects.bulk_create(
        [
            Commitment(
                dispatch=dispatch,
                response=response,
                action=item.action.strip(),
                responsible_unit=item.responsible_unit.strip()[:300],
                promised_on=item.promised_on,
                original_promised_on=item.promised_on,
            )
            for item in commitments
        ]
    )


def _redirect(dispatch: Dispatch, body: StateBody, today: date, acting_user: User | None) -> Dispatch:
    new = Dispatch.objects.create(recommendation=dispatch.recommendation, body=body, redirected_from=dispatch)
    new.recommendation = dispatch.recommendation
    _start_clock(new, today)
    log_action(
        new,
        "recommendations.dispatch.redirected",
        actor=acting_user,
        data={"from": dispatch.body.code, "to": body.code, "due_on": new.due_on},
    )
    _tell(body_officers(body), f"recommendations.sent:{new.pk}", "sent", new)
    return new


@transaction.atomic
def response_give(
    *,
    dispatch: Dispatch,
    answer: str,
    text: str,
    reason_code: str = "",
    redirect_to: StateBody | None = None,
    commitments: Sequence[CommitmentInput] = (),
    acting_user: User | None,
    channel: str = Response.Channel.WEB,
) -> Response:
    """An officer of the addressee body answers: accepted (with commitments), partially accepted,
    rejected (reason code, substantive reasons, after a hearing) or not competent (redirect)."""
    dispatch = _lock(dispatch)
    require(acting_user, "recommendations.answer", dispatch)
    today = _today()
    state = _state(dispatch, today)
    if state == ClockState.ANSWERED:
        raise ValidationError(
            _("This recommendation is already answered; a change is recorded as a correction.")
        )
    if state == ClockState.PAUSED:
        raise ValidationError(
            _("The clock is paused for your clarification request; wait for the council's answer.")
        )
    if state not in ANSWERABLE:
        raise ValidationError(_("This recommendation has not been sent to your body."))
    hearing = _check_response(
        dispatch,
        answer=answer,
        text=text,
        reason_code=reason_code,
        redirect_to=redirect_to,
        commitments=commitments,
        today=today,
    )
    response = Response.objects.create(
        dispatch=dispatch,
        answer=answer,
        reason_code=reason_code if answer == Answer.REJECTED else "",
        text=text.strip(),
        redirect_to=redirect_to,
        hearing=hearing,
        responded_on=today,
        responded_by=acting_user,
        channel=channel,
    )
    _add_commitments(dispatch, response, commitments)
    dispatch.answer, dispatch.answered_on = answer, today
    dispatch.version += 1
    dispatch.save(update_fields=["answer", "answered_on", "version"])
    dispatch_refresh(dispatch=dispatch, today=today)
    log_action(
        dispatch,
        "recommendations.response.given",
        actor=acting_user,
        data={
            "after": {"answer": answer, "reason_code": response.reason_code, "answered_on": today},
            "on_time": dispatch.due_on is not None and today <= dispatch.due_on,
            "commitments": len(commitments),
            "channel": channel,
        },
    )
    if answer == Answer.NOT_COMPETENT:
        _redirect(dispatch, redirect_to, today, acting_user)
    _tell(
        council_secretaries(dispatch.recommendation),
        f"recommendations.answered:{response.pk}",
        "answered",
        dispatch,
        response=response,
    )
    return response


def council_has_verified(dispatch: Dispatch) -> bool:
    return Verification.objects.filter(commitment__dispatch=dispatch).exists()


@transaction.atomic
def response_edit(*, response: Response, text: str, version: int, acting_user: User | None) -> Response:
    """Fix the wording of the answer in force — only until the council verified anything on it."""
    dispatch = _lock(response.dispatch)
    require(acting_user, "recommendations.answer", dispatch)
    current = Response.objects.select_for_update().get(pk=response.pk)
    if hasattr(current, "superseded_by"):
        raise ValidationError(_("This answer was replaced by a correction."))
    if council_has_verified(dispatch):
        raise ValidationError(
            _("The council has verified this answer; it cannot be edited. Record a correction instead.")
        )
    if current.version != version:
        raise ValidationError(_("Someone else changed this answer meanwhile; reload it and edit again."))
    if not text.strip() or (current.answer == Answer.REJECTED and len(text.strip()) < MIN_REJECTION_TEXT):
        raise ValidationError({"text": _("Give the reasons.")})
    before = current.text
    Response.objects.filter(pk=current.pk, version=version).update(
        text=text.strip(), version=F("version") + 1
    )
    current.refresh_from_db()
    log_action(
        dispatch,
        "recommendations.response.edited",
        actor=acting_user,
        data={"response": current.pk, "before": {"text": before}, "after": {"text": current.text}},
    )
    return current


@transaction.atomic
def response_correct(
    *,
    response: Response,
    answer: str,
    text: str,
    reason_code: str = "",
    commitments: Sequence[CommitmentInput] = (),
    acting_user: User | None,
    channel: str = Response.Channel.WEB,
) -> Response:
    """A new answer that replaces the one in force; both stay on the timeline. The date of the first
    answer still counts for timeliness. A redirect ("not competent") cannot be corrected this way."""
    dispatch = _lock(response.dispatch)
    require(acting_user, "recommendations.answer", dispatch)
    current = Response.objects.select_for_update().get(pk=response.pk)
    if hasattr(current, "superseded_by"):
        raise ValidationError(_("This answer was already replaced by a correction."))
    if Answer.NOT_COMPETENT in (current.answer, answer):
        raise ValidationError(_("A redirect to another body cannot be corrected; that body answers now."))
    today = _today()
    hearing = _check_response(
        dispatch,
        answer=answer,
        text=text,
        reason_code=reason_code,
        redirect_to=None,
        commitments=commitments,
        today=today,
    )
    correction = Response.objects.create(
        dispatch=dispatch,
        answer=answer,
        reason_code=reason_code if answer == Answer.REJECTED else "",
        text=text.strip(),
        hearing=hearing,
        supersedes=current,
        responded_on=today,
        responded_by=acting_user,
        channel=channel,
    )
    _add_commitments(dispatch, correction, commitments)
    before = dispatch.answer
    dispatch.answer = answer
    dispatch.version += 1
    dispatch.save(update_fields=["answer", "version"])
    log_action(
        dispatch,
        "recommendations.response.corrected",
        actor=acting_user,
        data={"before": {"answer": before}, "after": {"answer": answer}, "response": correction.pk},
    )
    _tell(
        council_secretaries(dispatch.recommendation),
        f"recommendations.answered:{correction.pk}",
        "answered",
        dispatch,
        response=correction,
    )
    return correction


# --- Commitments, claims, verification ------------------------------------------------------------


@transaction.atomic
def commitment_add(
    *, dispatch: Dispatch, action: str, responsible_unit: str, promised_on: date, acting_user: User | None
) -> Commitment:
    """One more commitment on an accepted (or partially accepted) recommendation."""
    dispatch = _lock(dispatch)
    require(acting_user, "recommendations.manage_commitments", dispatch)
    if dispatch.answer not in (Answer.ACCEPTED, Answer.PARTIALLY):
        raise ValidationError(_("Commitments belong to an accepted recommendation."))
    item = CommitmentInput(action, responsible_unit, promised_on)
    _check_commitments([item], _today())
    commitment = _add_commitments(dispatch, None, [item])[0]
    log_action(
        dispatch,
        "recommendations.commitment.added",
        actor=acting_user,
        data={"commitment": commitment.pk, "action": commitment.action, "promised_on": promised_on},
    )
    return commitment


def _lock_commitment(commitment: Commitment) -> Commitment:
    return (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("dispatch__recommendation__council", "dispatch__body")
        .get(pk=commitment.pk)
    )


@transaction.atomic
def commitment_move(
    *, commitment: Commitment, promised_on: date, reason: str, version: int, acting_user: User | None
) -> Slip:
    """Move a promised date: a recorded slip with its reason; every slip stays visible."""
    current = _lock_commitment(commitment)
    require(acting_user, "recommendations.manage_commitments", current)
    if current.status not in MOVABLE:
        raise ValidationError(_("The date of a claimed, confirmed or closed commitment cannot move."))
    if current.version != version:
        raise ValidationError(_("Someone else changed this commitment meanwhile; reload it and try again."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the date moves.")})
    if promised_on == current.promised_on:
        raise ValidationError({"promised_on": _("Choose a different date.")})
    if promised_on < _today():
        raise ValidationError({"promised_on": _("The promised date cannot be in the past.")})
    slip = Slip.objects.create(
        commitment=current,
        from_date=current.promised_on,
        to_date=promised_on,
        reason=reason.strip(),
        moved_by=acting_user,
    )
    Commitment.objects.filter(pk=current.pk).update(promised_on=promised_on, version=F("version") + 1)
    log_action(
        current.dispatch,
        "recommendations.commitment.moved",
        actor=acting_user,
        data={
            "commitment": current.pk,
            "before": {"promised_on": slip.from_date},
            "after": {"promised_on": promised_on},
            "reason": slip.reason,
        },
    )
    return slip


@dataclass(frozen=True)
class EvidenceInput:
    kind: str
    title: str = ""
    file: UploadedFile | None = None
    url: str = ""


def _evidence_rows(items: Sequence[EvidenceInput], acting_user: User | None, **owner) -> list[Evidence]:
    rows = []
    for item in items:
        if item.kind not in Evidence.Kind.values:
            raise ValidationError({"evidence": _("Unknown kind of evidence.")})
        if item.kind == Evidence.Kind.LINK and not item.url:
            raise ValidationError({"evidence": _("A link needs its address.")})
        if item.kind in (Evidence.Kind.DOCUMENT, Evidence.Kind.PHOTO) and item.file is None:
            raise ValidationError({"evidence": _("Attach the file.")})
        if item.file is None and not item.url:
            raise ValidationError({"evidence": _("Attach a file or give a link.")})
        row = Evidence(kind=item.kind, title=item.title.strip()[:300], uploaded_by=acting_user, **owner)
        if item.url:
            try:
                URLValidator(schemes=["http", "https"])(item.url)
            except ValidationError as error:
                raise ValidationError(
                    {"evidence": _("The link must start with http:// or https://.")}
                ) from error
            row.url = item.url
        if item.file is not None:
            kinds = (PNG, JPEG) if item.kind == Evidence.Kind.PHOTO else EVIDENCE_KINDS
            kind = check_upload(item.file, kinds=kinds, field="evidence")
            row.content_type, row.size = kind.content_type, item.file.size or 0
            name = f"{(item.title or item.kind)[:40]}.{kind.extension}"
            row.file.save(name, item.file, save=False)
        rows.append(row)
    return Evidence.objects.bulk_create(rows)


def _commitment_transition(commitment: Commitment, name: str, acting_user: User | None) -> Commitment:
    transition = COMMITMENT_TRANSITIONS[name]
    current = _lock_commitment(commitment)
    require(acting_user, transition.permission, current)
    if current.status not in transition.sources:
        raise ValidationError(
            _("This cannot be done while the commitment is «%(status)s».")
            % {"status": current.get_status_display()}
        )
    return current


@transaction.atomic
def commitment_start(*, commitment: Commitment, acting_user: User | None) -> Commitment:
    current = _commitment_transition(commitment, "start", acting_user)
    current.status = Commitment.Status.IN_PROGRESS
    current.version += 1
    current.save(update_fields=["status", "version"])
    log_action(
        current.dispatch,
        "recommendations.commitment.start",
        actor=acting_user,
        data={"commitment": current.pk},
    )
    return current


@transaction.atomic
def implementation_claim(
    *, commitment: Commitment, text: str, evidence: Sequence[EvidenceInput], acting_user: User | None
) -> Claim:
    """The body reports a commitment implemented, with evidence; the council is asked to verify."""
    current = _commitment_transition(commitment, "claim", acting_user)
    if not text.strip():
        raise ValidationError({"text": _("Describe what was done.")})
    if not evidence:
        raise ValidationError({"evidence": _("Add at least one piece of evidence.")})
    today = _today()
    claim = Claim.objects.create(
        commitment=current, text=text.strip(), claimed_on=today, claimed_by=acting_user
    )
    _evidence_rows(evidence, acting_user, claim=claim)
    before = current.status
    current.status, current.claimed_on = Commitment.Status.CLAIMED, today
    current.version += 1
    current.save(update_fields=["status", "claimed_on", "version"])
    log_action(
        current.dispatch,
        "recommendations.commitment.claim",
        actor=acting_user,
        data={"commitment": current.pk, "before": {"status": before}, "after": {"status": current.status}},
    )
    _tell(
        council_secretaries(current.dispatch.recommendation),
        f"recommendations.claimed:{claim.pk}",
        "claimed",
        current.dispatch,
        commitment=current,
        claim=claim,
    )
    return claim


@transaction.atomic
def implementation_verify(
    *,
    commitment: Commitment,
    verdict: str,
    text: str,
    evidence: Sequence[EvidenceInput] = (),
    acting_user: User | None,
) -> Verification:
    """The council confirms or disputes the latest claim with its own findings (a dispute needs
    evidence). Only a confirmed commitment counts as implemented; a disputed one may be claimed again."""
    if verdict not in Verification.Verdict.values:
        raise ValidationError({"verdict": _("Confirm or dispute.")})
    name = "confirm" if verdict == Verification.Verdict.CONFIRMED else "dispute"
    current = _commitment_transition(commitment, name, acting_user)
    if not text.strip():
        raise ValidationError({"text": _("Write the council's findings.")})
    if verdict == Verification.Verdict.DISPUTED and not evidence:
        raise ValidationError({"evidence": _("A dispute needs the council's own evidence.")})
    claim = current.claims.order_by("-created_at", "-pk").first()
    today = _today()
    verification = Verification.objects.create(
        commitment=current,
        claim=claim,
        verdict=verdict,
        text=text.strip(),
        verified_on=today,
        verified_by=acting_user,
    )
    _evidence_rows(evidence, acting_user, verification=verification)
    before = current.status
    current.status = COMMITMENT_TRANSITIONS[name].target
    current.verified_on = today if verdict == Verification.Verdict.CONFIRMED else None
    current.version += 1
    current.save(update_fields=["status", "verified_on", "version"])
    log_action(
        current.dispatch,
        f"recommendations.commitment.{name}",
        actor=acting_user,
        data={"commitment": current.pk, "before": {"status": before}, "after": {"status": current.status}},
    )
    _tell(
        body_officers(current.dispatch.body),
        f"recommendations.verified:{verification.pk}",
        "verified",
        current.dispatch,
        commitment=current,
        verification=verification,
    )
    return verification


@transaction.atomic
def commitment_not_implemented(
    *, commitment: Commitment, reason: str, acting_user: User | None
) -> Commitment:
    """The council records a commitment as not implemented once its promised date has passed."""
    current = _commitment_transition(commitment, "not_implemented", acting_user)
    if current.promised_on >= _today():
        raise ValidationError(_("The promised date has not passed yet."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    before = current.status
    current.status = Commitment.Status.NOT_IMPLEMENTED
    current.version += 1
    current.save(update_fields=["status", "version"])
    log_action(
        current.dispatch,
        "recommendations.commitment.not_implemented",
        actor=acting_user,
        data={
            "commitment": current.pk,
            "before": {"status": before},
            "after": {"status": current.status},
            "reason": reason.strip(),
        },
    )
    return current


# --- Reminders and escalation ---------------------------------------------------------------------


def remind(
    *,
    dispatch: Dispatch,
    today: date | None = None,
    computed: Clock | None = None,
    people: dict | None = None,
) -> int:
    """Send what the escalation ladder asks for today, each step once (keyed by the due date, so an
    extension that moves the date starts a new ladder). Returns how many notifications were created.
    ``people`` caches the recipients of each body and council during one sweep."""
    today = today or _today()
    computed = computed or clock(dispatch, today, explain=False)
    if not computed.is_open:
        return 0
    due = computed.due_on
    people = {} if people is None else people

    def cached(key, load):
        if key not in people:
            people[key] = list(load())
        return people[key]

    officers = cached(("body", dispatch.body_id), lambda: body_officers(dispatch.body))
    sent = 0
    if computed.state in (ClockState.RUNNING, ClockState.DUE_SOON):
        left = computed.working_days_left
        if left <= 1:
            sent += _tell(
                officers,
                f"recommendations.due_tomorrow:{dispatch.pk}:{due}",
                "due_tomorrow",
                dispatch,
                clock=computed,
            )
        elif left <= computed.rule.due_soon:
            sent += _tell(
                officers,
                f"recommendations.due_soon:{dispatch.pk}:{due}",
                "due_soon",
                dispatch,
                clock=computed,
            )
        return sent
    sent += _tell(
        officers, f"recommendations.overdue:{dispatch.pk}:{due}", "overdue", dispatch, clock=computed
    )
    sent += _tell(
        cached(
            ("council", dispatch.recommendation.council_id),
            lambda: council_secretaries(dispatch.recommendation),
        ),
        f"recommendations.overdue_council:{dispatch.pk}:{due}",
        "overdue_council",
        dispatch,
        clock=computed,
    )
    week = (today - add_working_days(due, 1)).days // 7
    if week >= 1:
        sent += _tell(
            officers,
            f"recommendations.overdue_week:{dispatch.pk}:{due}:{week}",
            "overdue_weekly",
            dispatch,
            clock=computed,
        )
    if computed.state == ClockState.LONG_OVERDUE:
        sent += _tell(
            cached(("coordinators",), coordinators),
            f"recommendations.long_overdue:{dispatch.pk}:{due}",
            "long_overdue",
            dispatch,
            clock=computed,
        )
    return sent


def sweep(*, today: date | None = None) -> int:
    """The nightly sweep: every open clock with a ladder step due (``next_reminder_on`` up to today,
    found by its index) is recomputed, its reminders are sent once each, and its next step stored.
    Clocks with nothing due today are not read at all."""
    today = today or _today()
    candidates = (
        Dispatch.objects.filter(
            answered_on__isnull=True, paused_since__isnull=True, next_reminder_on__lte=today
        )
        .select_related("recommendation__council", "body")
        .prefetch_related("clarifications", "extensions")
        .order_by("next_reminder_on", "pk")
    )
    sent, people = 0, {}
    with workcalendar.loaded():  # one read of the calendar's corrections for the whole sweep
        for chunk in _chunks(candidates.iterator(chunk_size=SWEEP_CHUNK), SWEEP_CHUNK):
            # One commit per chunk (each commit waits for the disk). Mail goes out after its chunk
            # commits, with the record that it was sent; a chunk that fails is redone next run.
            with transaction.atomic():
                for dispatch in chunk:
                    computed = clock(dispatch, today, explain=False)
                    sent += remind(dispatch=dispatch, today=today, computed=computed, people=people)
                    dispatch_refresh(dispatch=dispatch, today=today, swept=True, computed=computed)
    return sent


SWEEP_CHUNK = 200


def _chunks(items: Iterable, size: int) -> Iterable[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- API tokens -----------------------------------------------------------------------------------


@transaction.atomic
def body_token_create(*, body: StateBody, name: str, officer: User, acting_user: User | None):
    """A token for a body's own system; the raw value is returned once and only its hash is kept."""
    from .models import BodyToken

    require(acting_user, "recommendations.manage_body_tokens")
    from kenes.core.rules import holds_role_on

    if not holds_role_on(officer, (Role.STATE_BODY_OFFICER,), body):
        raise ValidationError({"acting_user": _("The token answers in the name of an officer of this body.")})
    raw = BodyToken.generate()
    token = BodyToken.objects.create(
        body=body,
        name=name.strip() or body.code,
        prefix=raw[:12],
        token_hash=BodyToken.hash(raw),
        acting_user=officer,
        created_by=acting_user,
    )
    log_action(
        token,
        "recommendations.token.created",
        actor=acting_user,
        data={"body": body.code, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def body_token_revoke(*, token, acting_user: User | None):
    require(acting_user, "recommendations.manage_body_tokens")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(token, "recommendations.token.revoked", actor=acting_user, data={"prefix": token.prefix})
    return token
