"""Writes of meetings. Each checks the acting user's permission on the meeting (or series), writes
the audit log in the same transaction, and tells the invited members through ``notify``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.core.audit import field_changes, log_action, register_actions
from kenes.core.models import User
from kenes.core.notify import notify
from kenes.core.rules import require
from kenes.councils.models import Membership

from . import selectors
from .cadence import occurrences, overlapping
from .models import AgendaItem, Attendance, Decision, Meeting, MeetingSeries, Minutes
from .workflows import AGENDA_EDITABLE, DECIDING, PROPOSABLE, RECORDING, RESCHEDULABLE, TRANSITIONS

register_actions(
    {
        "meetings.series.created": _("meeting series created"),
        "meetings.series.changed": _("meeting series changed"),
        "meetings.meeting.created": _("meeting planned"),
        "meetings.meeting.rescheduled": _("meeting moved"),
        "meetings.meeting.publish_agenda": _("agenda published"),
        "meetings.meeting.hold": _("meeting held"),
        "meetings.meeting.approve_minutes": _("minutes approved"),
        "meetings.meeting.postpone": _("meeting postponed"),
        "meetings.meeting.cancel": _("meeting cancelled"),
        "meetings.agenda.added": _("agenda item added"),
        "meetings.agenda.proposed": _("agenda item proposed"),
        "meetings.agenda.accepted": _("agenda item accepted"),
        "meetings.agenda.declined": _("agenda item declined"),
        "meetings.attendance.recorded": _("attendance recorded"),
        "meetings.decision.recorded": _("decision recorded"),
        "meetings.minutes.changed": _("minutes edited"),
    }
)


def default_quorum() -> Fraction:
    return Fraction(settings.KENES_QUORUM)


def horizon() -> date:
    return timezone.localdate() + timedelta(days=settings.KENES_MEETING_HORIZON_DAYS)


# --- Series ---------------------------------------------------------------------------------------

SERIES_FIELDS = [
    "title_kk",
    "title_ru",
    "title_en",
    "kind",
    "cadence_kind",
    "interval",
    "weekday",
    "week",
    "day",
    "starts_on",
    "ends_on",
    "start_time",
    "duration_minutes",
    "convener_body",
    "council",
    "place",
    "online_link",
    "is_public",
]


def _check_series(series: MeetingSeries) -> None:
    try:
        series.cadence.validate()
    except ValidationError as error:
        # The cadence names its rule "kind"; on the series that field is "cadence_kind".
        errors = {
            ("cadence_kind" if key == "kind" else key): value for key, value in error.message_dict.items()
        }
        raise ValidationError(errors) from error
    if series.ends_on and series.ends_on < series.starts_on:
        raise ValidationError({"ends_on": _("The series cannot end before it starts.")})
    if series.duration_minutes < 5 or series.duration_minutes > 12 * 60:
        raise ValidationError({"duration_minutes": _("A meeting lasts between 5 minutes and 12 hours.")})
    sample = occurrences(
        series.cadence,
        start=series.starts_on,
        until=series.starts_on + timedelta(days=400),
        end=series.ends_on,
    )
    clashes = overlapping(sample)
    if clashes:
        raise ValidationError(
            _("Two occurrences of this series fall on the same day (%(day)s); choose another rule.")
            % {"day": clashes[0].strftime("%d.%m.%Y")}
        )


def _snapshot(series: MeetingSeries) -> dict:
    data = {}
    for name in SERIES_FIELDS:
        value = getattr(series, f"{name}_id" if name in {"convener_body", "council"} else name)
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


@transaction.atomic
def series_create(
    *, data: dict, councils, acting_user: User | None, include_past: bool = False
) -> MeetingSeries:
    """Create a cadence of meetings and generate its occurrences up to the horizon."""
    council = data.get("council")
    if council is not None:
        require(acting_user, "councils.change_council", council)
    else:
        require(acting_user, "meetings.manage_series")
    series = MeetingSeries(**{key: data[key] for key in SERIES_FIELDS if key in data})
    series.full_clean()
    _check_series(series)
    series.save()
    series.councils.set([council] if council is not None else councils)
    log_action(series, "meetings.series.created", actor=acting_user, data={"after": _snapshot(series)})
    series_generate(series=series, include_past=include_past)
    return series


@transaction.atomic
def series_update(*, series: MeetingSeries, data: dict, councils, acting_user: User | None) -> MeetingSeries:
    """Change a series; only its future, untouched occurrences follow (past and moved ones stay)."""
    if series.council_id:
        require(acting_user, "councils.change_council", series.council)
    else:
        require(acting_user, "meetings.manage_series")
    before = _snapshot(series)
    for key in SERIES_FIELDS:
        if key in data and key != "council":
            setattr(series, key, data[key])
    series.full_clean()
    _check_series(series)
    series.save()
    if councils is not None and series.council_id is None:
        series.councils.set(councils)
    changes = field_changes(before, _snapshot(series))
    if changes["after"]:
        log_action(series, "meetings.series.changed", actor=acting_user, data=changes)
        future = series.meetings.filter(
            starts_at__gte=timezone.now(),
            detached=False,
            status=Meeting.Status.PLANNED,
            agenda_items__isnull=True,
        )
        future.delete()
        series_generate(series=series)
    return series


def series_generate(*, series: MeetingSeries, until: date | None = None, include_past: bool = False) -> int:
    """Create the occurrences of ``series`` up to ``until`` (the horizon) that do not exist yet.

    Past dates are skipped unless ``include_past`` (the demo fills a year of history with it).
    """
    until = until or horizon()
    today = series.starts_on if include_past else timezone.localdate()
    existing = set(series.meetings.values_list("series_date", flat=True))
    zone = timezone.get_current_timezone()
    invited = list(series.councils.all())
    new = []
    # Counted from the series' first date so the rhythm never shifts; only future dates are created.
    for occurrence in occurrences(series.cadence, start=series.starts_on, until=until, end=series.ends_on):
        if occurrence.nominal < today or occurrence.nominal in existing:
            continue
        new.append(
            Meeting(
                series=series,
                series_date=occurrence.nominal,
                kind=series.kind,
                council=series.council,
                convener_body=series.convener_body,
                title_kk=series.title_kk,
                title_ru=series.title_ru,
                title_en=series.title_en,
                starts_at=datetime.combine(occurrence.actual, series.start_time, tzinfo=zone),
                duration_minutes=series.duration_minutes,
                place=series.place,
                online_link=series.online_link,
                is_public=series.is_public,
                quorum_numerator=default_quorum().numerator,
                quorum_denominator=default_quorum().denominator,
            )
        )
    created = Meeting.objects.bulk_create(new, batch_size=500)
    if invited and created:
        through = Meeting.councils.through
        through.objects.bulk_create(
            [through(meeting_id=m.pk, council_id=c.pk) for m in created for c in invited], batch_size=1000
        )
    return len(created)


# --- Meetings -------------------------------------------------------------------------------------


def _tell(meeting: Meeting, event: str, key: str) -> None:
    notify(
        recipients=selectors.recipients(meeting),
        key=key,
        template=f"meetings/mail/{event}",
        context={"meeting": meeting, "starts": timezone.localtime(meeting.starts_at)},
        url=reverse("meetings:detail", args=[meeting.pk]),
        about=meeting,
    )


@transaction.atomic
def meeting_create(*, data: dict, councils, acting_user: User | None) -> Meeting:
    """Plan a single meeting (a hearing, an extra sitting)."""
    council = data.get("council")
    if council is not None:
        require(acting_user, "councils.change_council", council)
    else:
        require(acting_user, "meetings.manage_series")
    quorum = default_quorum()
    meeting = Meeting(quorum_numerator=quorum.numerator, quorum_denominator=quorum.denominator, **data)
    meeting.full_clean()
    meeting.save()
    meeting.councils.set([council] if council is not None else councils)
    log_action(
        meeting,
        "meetings.meeting.created",
        actor=acting_user,
        data={"after": {"starts_at": meeting.starts_at}},
    )
    return meeting


@transaction.atomic
def meeting_reschedule(
    *, meeting: Meeting, starts_at: datetime, reason: str, acting_user: User | None
) -> Meeting:
    """Move one occurrence (with a reason); its series leaves it alone from now on."""
    require(acting_user, "meetings.manage_meeting", meeting)
    if meeting.status not in RESCHEDULABLE:
        raise ValidationError(_("A meeting that was held or cancelled cannot be moved."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the meeting is moved.")})
    if starts_at < timezone.now():
        raise ValidationError({"starts_at": _("The new time is in the past.")})
    before = meeting.starts_at
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=starts_at,
        moved_from=meeting.moved_from or before,
        detached=True,
        status=Meeting.Status.PLANNED if meeting.status == Meeting.Status.POSTPONED else meeting.status,
        status_reason=reason.strip(),
        ical_sequence=F("ical_sequence") + 1,
    )
    meeting.refresh_from_db()
    log_action(
        meeting,
        "meetings.meeting.rescheduled",
        actor=acting_user,
        data={"before": {"starts_at": before}, "after": {"starts_at": starts_at}, "reason": reason.strip()},
    )
    _tell(meeting, "changed", f"meetings.changed:{meeting.pk}:{meeting.ical_sequence}")
    return meeting


@transaction.atomic
def meeting_transition(*, meeting: Meeting, name: str, acting_user: User | None, reason: str = "") -> Meeting:
    """Fire a transition of ``workflows.TRANSITIONS`` on the meeting."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise ValidationError(_("Unknown action."))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require(acting_user, transition.permission, meeting)
    if meeting.status not in transition.sources:
        raise ValidationError(
            _("This cannot be done while the meeting is «%(status)s».")
            % {"status": meeting.get_status_display()}
        )
    if transition.needs_reason and not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    data: dict = {"before": {"status": meeting.status}, "after": {"status": transition.target}}
    if name == "publish_agenda":
        if not meeting.agenda_items.filter(status=AgendaItem.Status.ACCEPTED).exists():
            raise ValidationError(_("Add at least one accepted item before publishing the agenda."))
        meeting.agenda_published_at = timezone.now()
        deadline = selectors.agenda_deadline(meeting)
        data["late"] = deadline.late
        data["due"] = deadline.due
        attendance_prepare(meeting=meeting)
    if not transition.allowed(meeting):
        raise ValidationError(str(transition.refusal))
    if name == "hold" and not meeting.attendance.exists():
        attendance_prepare(meeting=meeting)
    if name == "approve_minutes":
        minutes = minutes_prepare(meeting=meeting)
        minutes.approved_by = acting_user
        minutes.approved_at = timezone.now()
        minutes.save(update_fields=["approved_by", "approved_at"])
    meeting.status = transition.target
    if transition.needs_reason:
        meeting.status_reason = reason.strip()
        data["reason"] = reason.strip()
    if transition.notify in {"changed", "cancelled"}:
        meeting.ical_sequence += 1
    meeting.save()
    log_action(meeting, f"meetings.meeting.{name}", actor=acting_user, data=data)
    if name == "approve_minutes":
        render_minutes_pdf(minutes=meeting.minutes)
    if transition.notify in {"agenda_published", "held", "minutes_approved"}:
        _tell(meeting, transition.notify, f"meetings.{transition.notify}:{meeting.pk}")
    elif transition.notify:
        _tell(
            meeting, transition.notify, f"meetings.{transition.notify}:{meeting.pk}:{meeting.ical_sequence}"
        )
    return meeting


def remind_day_before(*, meeting: Meeting) -> int:
    """The reminder the day before; once per meeting and date, however often the sweep runs."""
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    return len(
        notify(
            recipients=selectors.recipients(meeting),
            key=f"meetings.daybefore:{meeting.pk}:{day}",
            template="meetings/mail/day_before",
            context={"meeting": meeting, "starts": timezone.localtime(meeting.starts_at)},
            url=reverse("meetings:detail", args=[meeting.pk]),
            about=meeting,
        )
    )


# --- Agenda ---------------------------------------------------------------------------------------

ITEM_FIELDS = ["title", "description", "duration_minutes", "presenter", "document"]


def _next_position(meeting: Meeting) -> int:
    return (meeting.agenda_items.aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, data: dict, acting_user: User | None, subject=None) -> AgendaItem:
    """The secretary adds an accepted item to the agenda."""
    require(acting_user, "meetings.manage_meeting", meeting)
    if meeting.status not in AGENDA_EDITABLE:
        raise ValidationError(_("The agenda of a held or cancelled meeting cannot change."))
    item = AgendaItem(
        meeting=meeting, position=_next_position(meeting), status=AgendaItem.Status.ACCEPTED, subject=subject
    )
    for key in ITEM_FIELDS:
        if key in data:
            setattr(item, key, data[key])
    item.full_clean()
    item.save()
    log_action(meeting, "meetings.agenda.added", actor=acting_user, data={"after": {"title": item.title}})
    return item


@transaction.atomic
def agenda_item_propose(*, meeting: Meeting, data: dict, acting_user: User) -> AgendaItem:
    """A member proposes an item; the secretary accepts or declines it."""
    require(acting_user, "meetings.propose_item", meeting)
    if meeting.status not in PROPOSABLE:
        raise ValidationError(_("Items can be proposed only before the meeting."))
    item = AgendaItem(
        meeting=meeting,
        position=_next_position(meeting),
        status=AgendaItem.Status.PROPOSED,
        proposed_by=acting_user,
        **{key: data[key] for key in ("title", "description", "presenter") if key in data},
    )
    item.full_clean()
    item.save()
    log_action(meeting, "meetings.agenda.proposed", actor=acting_user, data={"after": {"title": item.title}})
    return item


@transaction.atomic
def agenda_item_decide(
    *, item: AgendaItem, accept: bool, reason: str, acting_user: User | None
) -> AgendaItem:
    meeting = Meeting.objects.get(pk=item.meeting_id)
    require(acting_user, "meetings.manage_meeting", meeting)
    if item.status != AgendaItem.Status.PROPOSED:
        raise ValidationError(_("This item was already decided on."))
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Say why the item is declined.")})
    item.status = AgendaItem.Status.ACCEPTED if accept else AgendaItem.Status.DECLINED
    item.decline_reason = "" if accept else reason.strip()
    item.save(update_fields=["status", "decline_reason"])
    log_action(
        meeting,
        "meetings.agenda.accepted" if accept else "meetings.agenda.declined",
        actor=acting_user,
        data={"after": {"title": item.title}, **({"reason": item.decline_reason} if not accept else {})},
    )
    if item.proposed_by_id:
        notify(
            recipients=[item.proposed_by],
            key=f"meetings.proposal:{item.pk}",
            template="meetings/mail/proposal_decided",
            context={"item": item, "meeting": meeting},
            url=reverse("meetings:detail", args=[meeting.pk]),
        )
    return item


# --- Attendance, decisions, minutes ---------------------------------------------------------------


def attendance_prepare(*, meeting: Meeting) -> int:
    """Invite every active member of the invited councils (once); returns how many were added."""
    councils = selectors.invited_councils(meeting)
    day = timezone.localtime(meeting.starts_at).date()
    memberships = Membership.objects.active(on=day).filter(council__in=councils).values_list("pk", flat=True)
    known = set(meeting.attendance.values_list("membership_id", flat=True))
    rows = [Attendance(meeting=meeting, membership_id=pk) for pk in memberships if pk not in known]
    Attendance.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@transaction.atomic
def attendance_record(
    *, meeting: Meeting, marks: dict[int, tuple[str, str]], acting_user: User | None
) -> None:
    """Mark each invited member present in person, online or absent (with a reason)."""
    require(acting_user, "meetings.manage_meeting", meeting)
    if meeting.status not in RECORDING:
        raise ValidationError(_("Attendance is recorded before the minutes are approved."))
    rows = {row.pk: row for row in meeting.attendance.select_related("membership__person")}
    changed = []
    for pk, (presence, reason) in marks.items():
        row = rows.get(pk)
        if row is None:
            raise ValidationError(_("This person is not invited to the meeting."))
        if presence not in Attendance.Presence.values:
            raise ValidationError(_("Unknown presence mark."))
        reason = reason.strip() if presence == Attendance.Presence.ABSENT else ""
        if (row.presence, row.absence_reason) != (presence, reason):
            row.presence, row.absence_reason = presence, reason
            changed.append(row)
    Attendance.objects.bulk_update(changed, ["presence", "absence_reason"])
    if changed:
        log_action(
            meeting,
            "meetings.attendance.recorded",
            actor=acting_user,
            data={"after": {str(row.membership.person): row.get_presence_display() for row in changed}},
        )


@transaction.atomic
def decision_record(
    *,
    item: AgendaItem,
    text: str,
    votes_for: int | None,
    votes_against: int | None,
    votes_abstained: int | None,
    basis_for_recommendations: bool,
    acting_user: User | None,
) -> Decision:
    """Record the decision on an agenda item; refused without quorum or with more votes than present."""
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    require(acting_user, "meetings.manage_meeting", meeting)
    if meeting.status not in DECIDING:
        raise ValidationError(
            _("Decisions are recorded at or after the meeting, before the minutes are approved.")
        )
    if item.status != AgendaItem.Status.ACCEPTED:
        raise ValidationError(_("Only accepted agenda items get decisions."))
    if not text.strip():
        raise ValidationError({"text": _("Write the text of the decision.")})
    quorum = selectors.quorum(meeting)
    if not quorum.met:
        raise ValidationError(
            _("Without quorum no decision can be recorded: %(present)s present, %(required)s needed.")
            % {"present": quorum.present, "required": quorum.required}
        )
    votes = [v for v in (votes_for, votes_against, votes_abstained) if v is not None]
    if votes and any(v < 0 for v in votes):
        raise ValidationError(_("Votes cannot be negative."))
    if sum(votes) > quorum.present:
        raise ValidationError(
            _("%(votes)s votes were counted but only %(present)s members are present.")
            % {"votes": sum(votes), "present": quorum.present}
        )
    if votes:
        outcome = (
            Decision.Outcome.ADOPTED if (votes_for or 0) > quorum.present / 2 else Decision.Outcome.REJECTED
        )
    else:
        outcome = Decision.Outcome.NOTED
    decision, _created = Decision.objects.update_or_create(
        item=item,
        defaults={
            "text": text.strip(),
            "votes_for": votes_for,
            "votes_against": votes_against,
            "votes_abstained": votes_abstained,
            "outcome": outcome,
            "basis_for_recommendations": basis_for_recommendations,
            "recorded_at": timezone.now(),
        },
    )
    log_action(
        meeting,
        "meetings.decision.recorded",
        actor=acting_user,
        data={
            "item": item.title,
            "after": {
                "outcome": outcome,
                "for": votes_for,
                "against": votes_against,
                "abstained": votes_abstained,
            },
        },
    )
    return decision


def minutes_text(meeting: Meeting) -> str:
    """A first draft of the minutes from the agenda, attendance and decisions."""
    quorum = selectors.quorum(meeting)
    lines = [
        _("%(present)s of %(invited)s members took part; quorum %(required)s.")
        % {"present": quorum.present, "invited": quorum.invited, "required": quorum.required}
    ]
    for number, item in enumerate(
        meeting.agenda_items.filter(status=AgendaItem.Status.ACCEPTED).order_by("position"), 1
    ):
        lines.append("")
        lines.append(f"{number}. {item.title}")
        if item.presenter:
            lines.append(_("Presented by %(presenter)s.") % {"presenter": item.presenter.rstrip(".")})
        decision = getattr(item, "decision", None)
        if decision is not None:
            lines.append(_("Decided: %(text)s") % {"text": decision.text})
    return "\n".join(lines)


def minutes_prepare(*, meeting: Meeting) -> Minutes:
    minutes, created = Minutes.objects.get_or_create(meeting=meeting)
    if created or not minutes.body:
        minutes.body = minutes_text(meeting)
        council_meetings = (
            Minutes.objects.filter(meeting__council=meeting.council)
            if meeting.council_id
            else Minutes.objects.none()
        )
        minutes.number = minutes.number or str(council_meetings.count())
        minutes.save()
    return minutes


@transaction.atomic
def minutes_update(*, minutes: Minutes, number: str, body: str, acting_user: User | None) -> Minutes:
    meeting = minutes.meeting
    require(acting_user, "meetings.manage_meeting", meeting)
    if minutes.approved_at:
        raise ValidationError(_("Approved minutes cannot be changed."))
    before = {"number": minutes.number, "body": minutes.body}
    minutes.number, minutes.body = number.strip(), body.strip()
    minutes.save(update_fields=["number", "body"])
    changes = field_changes(before, {"number": minutes.number, "body": minutes.body})
    if changes["after"]:
        log_action(meeting, "meetings.minutes.changed", actor=acting_user, data=changes)
    return minutes


def render_minutes_pdf(*, minutes: Minutes) -> Minutes:
    """Render and store the PDF of approved minutes (in the approver's language)."""
    from django.utils import translation

    from .documents import minutes_pdf

    language = (
        minutes.approved_by.preferred_language if minutes.approved_by_id else translation.get_language()
    )
    with translation.override(language):
        content = minutes_pdf(minutes_data(minutes))
    minutes.pdf.save(f"minutes-{minutes.meeting_id}.pdf", ContentFile(content), save=False)
    Minutes.objects.filter(pk=minutes.pk).update(pdf=minutes.pdf.name)
    return minutes


def minutes_data(minutes: Minutes):
    from .documents import MinutesData, MinutesItem

    meeting = selectors.meeting_for_page(minutes.meeting_id)
    quorum = selectors.quorum(meeting)
    rows = list(meeting.attendance.all())
    by_role = {row.membership.role: str(row.membership.person) for row in rows}
    items = []
    accepted = [item for item in meeting.agenda_items.all() if item.status == AgendaItem.Status.ACCEPTED]
    for number, item in enumerate(accepted, 1):
        decision = getattr(item, "decision", None)
        items.append(
            MinutesItem(
                number=number,
                title=item.title,
                presenter=item.presenter,
                decision=decision.text if decision else "",
                votes_for=decision.votes_for if decision else None,
                votes_against=decision.votes_against if decision else None,
                votes_abstained=decision.votes_abstained if decision else None,
                outcome=decision.get_outcome_display() if decision else "",
            )
        )
    return MinutesData(
        council=meeting.council.name
        if meeting.council_id
        else (meeting.convener_body.name if meeting.convener_body_id else ""),
        title=meeting.title,
        kind=meeting.get_kind_display(),
        number=minutes.number,
        starts_at=meeting.starts_at,
        place=meeting.place,
        online_link=meeting.online_link,
        chair=by_role.get(Membership.Role.CHAIR, ""),
        secretary=by_role.get(Membership.Role.SECRETARY, ""),
        present=[str(row.membership.person) for row in rows if row.present],
        absent=[(str(row.membership.person), row.absence_reason) for row in rows if not row.present],
        invited_count=quorum.invited,
        present_count=quorum.present,
        quorum_required=quorum.required,
        quorum_met=quorum.met,
        items=items,
        body=minutes.body,
        approved_by=str(minutes.approved_by) if minutes.approved_by_id else "",
        approved_at=minutes.approved_at,
    )
