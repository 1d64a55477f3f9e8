"""Pages of meetings: calendars, the meeting page, the secretary's management page, series, feeds."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.core.forms import apply_validation_error
from kenes.core.models import User
from kenes.core.selectors import timeline_for
from kenes.councils.models import Council

from . import feeds, selectors, services
from .forms import (
    AgendaItemForm,
    DecideProposalForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
    ProposalForm,
    RescheduleForm,
    SeriesForm,
    TransitionForm,
)
from .models import AgendaItem, Attendance, Meeting, MeetingKind, MeetingSeries, Minutes
from .workflows import actions

FEED_SALT = "kenes.meetings.feed"
CALENDAR_YEARS = (2000, 2100)  # outside these the calendar shows the current month


def _month(request: HttpRequest) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = int(request.GET.get("year", today.year)), int(request.GET.get("month", today.month))
        date(year, month, 1)
    except ValueError:
        return today.year, today.month
    if not CALENDAR_YEARS[0] <= year <= CALENDAR_YEARS[1]:
        return today.year, today.month
    return year, month


def _calendar_context(request: HttpRequest, meetings, *, title: str, council: Council | None = None) -> dict:
    year, month = _month(request)
    first = date(year, month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    in_month = list(selectors.meetings_between(meetings, first, last, council=council))
    previous = first - timedelta(days=1)
    following = last + timedelta(days=1)
    view = "month" if request.GET.get("view") == "month" else "list"
    return {
        "title": title,
        "council": council,
        "view": view,
        "year": year,
        "month": month,
        "first": first,
        "meetings": in_month,
        "weeks": selectors.month_grid(year, month, in_month) if view == "month" else None,
        "previous": {"year": previous.year, "month": previous.month},
        "following": {"year": following.year, "month": following.month},
    }


def calendar(request: HttpRequest) -> HttpResponse:
    """Nationwide calendar of the meetings the visitor may see."""
    context = _calendar_context(request, selectors.visible_meetings(request.user), title=_("Meetings"))
    context["feed_url"] = None
    return render(request, "meetings/calendar.html", context)


def council_calendar(request: HttpRequest, code: str) -> HttpResponse:
    council = get_object_or_404(Council, code=code)
    meetings = selectors.visible_meetings(request.user)
    context = _calendar_context(request, meetings, title=council.name, council=council)
    context["feed_url"] = request.build_absolute_uri(reverse("meetings:council_feed", args=[council.code]))
    return render(request, "meetings/calendar.html", context)


@login_required
def my_calendar(request: HttpRequest) -> HttpResponse:
    meetings = selectors.for_user_feed(request.user, past_days=400, ahead_days=800)
    context = _calendar_context(request, meetings, title=_("My meetings"))
    token = signing.dumps(request.user.pk, salt=FEED_SALT)
    context["feed_url"] = request.build_absolute_uri(reverse("meetings:user_feed", args=[token]))
    return render(request, "meetings/calendar.html", context)


def _meeting_for(request: HttpRequest, pk: int, permission: str = "meetings.view_meeting") -> Meeting:
    try:
        meeting = selectors.meeting_for_page(pk)
    except Meeting.DoesNotExist as missing:
        raise Http404 from missing
    if not request.user.has_perm(permission, meeting):
        if permission == "meetings.view_meeting":
            raise Http404
        raise PermissionDenied
    return meeting


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk)
    can_manage = request.user.has_perm("meetings.manage_meeting", meeting)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "councils": selectors.invited_councils(meeting),
            "items": [
                item for item in meeting.agenda_items.all() if item.status == AgendaItem.Status.ACCEPTED
            ],
            "quorum": selectors.quorum(meeting),
            "deadline": selectors.agenda_deadline(meeting),
            "minutes": minutes if minutes and (minutes.approved_at or can_manage) else None,
            "can_manage": can_manage,
            "actions": actions(meeting, request.user),
        },
    )


@login_required
def meeting_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything the secretary does with one meeting, one form per action."""
    meeting = _meeting_for(request, pk, "meetings.manage_meeting")
    forms = {
        "transition": TransitionForm(),
        "reschedule": RescheduleForm(initial={"starts_at": timezone.localtime(meeting.starts_at)}),
        "item": AgendaItemForm(),
        "minutes": None,
    }
    action = request.POST.get("action") if request.method == "POST" else None
    status = 200
    if action:
        try:
            done = _handle(request, meeting, action, forms)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            done = False
        if done:
            return redirect(reverse("meetings:manage", args=[meeting.pk]) + f"#{action}")
        status = 400
        meeting = selectors.meeting_for_page(meeting.pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if forms["minutes"] is None and minutes is not None:
        forms["minutes"] = MinutesForm(initial={"number": minutes.number, "body": minutes.body})
    items = list(meeting.agenda_items.all())
    context = {
        "meeting": meeting,
        "forms": forms,
        "actions": actions(meeting, request.user),
        "items": items,
        "accepted": [i for i in items if i.status == AgendaItem.Status.ACCEPTED],
        "proposals": [i for i in items if i.status == AgendaItem.Status.PROPOSED],
        "attendance": list(meeting.attendance.all()),
        "presence_choices": Attendance.Presence.choices,
        "quorum": selectors.quorum(meeting),
        "deadline": selectors.agenda_deadline(meeting),
        "minutes": minutes,
        "decision_errors": forms.get("decision_errors", {}),
        "timeline": timeline_for(meeting),
    }
    return render(request, "meetings/meeting_manage.html", context, status=status)


def _handle(request: HttpRequest, meeting: Meeting, action: str, forms: dict) -> bool:
    user = request.user
    if action == "transition":
        form = forms["transition"] = TransitionForm(request.POST)
        if not form.is_valid():
            return False
        services.meeting_transition(
            meeting=meeting,
            name=form.cleaned_data["transition"],
            reason=form.cleaned_data["reason"],
            acting_user=user,
        )
        messages.success(request, _("Done."))
        return True
    if action == "reschedule":
        form = forms["reschedule"] = RescheduleForm(request.POST)
        if not form.is_valid():
            return False
        try:
            services.meeting_reschedule(
                meeting=meeting,
                starts_at=form.cleaned_data["starts_at"],
                reason=form.cleaned_data["reason"],
                acting_user=user,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return False
        messages.success(request, _("The meeting is moved and the members are told."))
        return True
    if action == "item":
        form = forms["item"] = AgendaItemForm(request.POST, request.FILES)
        if not form.is_valid():
            return False
        services.agenda_item_add(meeting=meeting, data=form.cleaned_data, acting_user=user)
        messages.success(request, _("The item is added to the agenda."))
        return True
    if action == "decide":
        form = DecideProposalForm(request.POST)
        if not form.is_valid():
            return False
        item = get_object_or_404(AgendaItem, pk=form.cleaned_data["item"], meeting=meeting)
        services.agenda_item_decide(
            item=item,
            accept=form.cleaned_data["accept"],
            reason=form.cleaned_data["reason"],
            acting_user=user,
        )
        return True
    if action == "attendance":
        marks = {}
        for row in meeting.attendance.all():
            presence = request.POST.get(f"presence-{row.pk}", row.presence)
            marks[row.pk] = (presence, request.POST.get(f"reason-{row.pk}", ""))
        services.attendance_record(meeting=meeting, marks=marks, acting_user=user)
        messages.success(request, _("Attendance is saved."))
        return True
    if action == "decision":
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Check the decision: %(errors)s") % {"errors": form.errors.as_text()})
            return False
        item = get_object_or_404(AgendaItem, pk=form.cleaned_data["item"], meeting=meeting)
        services.decision_record(
            item=item,
            text=form.cleaned_data["text"],
            votes_for=form.cleaned_data["votes_for"],
            votes_against=form.cleaned_data["votes_against"],
            votes_abstained=form.cleaned_data["votes_abstained"],
            basis_for_recommendations=form.cleaned_data["basis_for_recommendations"],
            acting_user=user,
        )
        messages.success(request, _("The decision is recorded."))
        return True
    if action == "minutes":
        form = forms["minutes"] = MinutesForm(request.POST)
        if not form.is_valid():
            return False
        minutes = services.minutes_prepare(meeting=meeting)
        services.minutes_update(
            minutes=minutes,
            number=form.cleaned_data["number"],
            body=form.cleaned_data["body"],
            acting_user=user,
        )
        messages.success(request, _("The minutes are saved."))
        return True
    if action == "draft_minutes":
        services.minutes_prepare(meeting=meeting)
        return True
    raise ValidationError(_("Unknown action."))


@login_required
def propose_item(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk, "meetings.propose_item")
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_propose(meeting=meeting, data=form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your proposal is sent to the secretary."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/propose.html", {"meeting": meeting, "form": form})


def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(request, pk)
    minutes = Minutes.objects.filter(meeting=meeting, approved_at__isnull=False).first()
    if minutes is None:
        raise Http404
    if not minutes.pdf:
        services.render_minutes_pdf(minutes=minutes)
        minutes.refresh_from_db()
    response = FileResponse(minutes.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{meeting.pk}.pdf"'
    return response


# --- Series ---------------------------------------------------------------------------------------


def series_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "meetings/series_list.html",
        {"series": selectors.series_list(), "can_add": request.user.has_perm("meetings.manage_series")},
    )


def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_object_or_404(selectors.series_list(), pk=pk)
    can_edit = request.user.has_perm("meetings.manage_series") or (
        series.council_id is not None and request.user.has_perm("councils.change_council", series.council)
    )
    form = None
    if can_edit:
        form = SeriesForm(request.POST or None, instance=series, council=series.council)
        if request.method == "POST" and form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "councils"}
            try:
                services.series_update(
                    series=MeetingSeries.objects.get(pk=series.pk),
                    data=data,
                    councils=form.cleaned_data.get("councils"),
                    acting_user=request.user,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The series is saved; its future meetings follow the change."))
                return redirect("meetings:series_detail", pk=series.pk)
    elif request.method == "POST":
        raise PermissionDenied
    today = timezone.now()
    return render(
        request,
        "meetings/series_detail.html",
        {
            "series": series,
            "form": form,
            "upcoming": series.meetings.filter(starts_at__gte=today).order_by("starts_at")[:12],
            "feed_url": request.build_absolute_uri(reverse("meetings:series_feed", args=[series.pk])),
            "timeline": timeline_for(series) if can_edit else None,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def series_add(request: HttpRequest) -> HttpResponse:
    council = None
    if request.GET.get("council") or request.POST.get("council_code"):
        council = get_object_or_404(
            Council, code=request.GET.get("council") or request.POST.get("council_code")
        )
        if not request.user.has_perm("councils.change_council", council):
            raise PermissionDenied
    elif not request.user.has_perm("meetings.manage_series"):
        raise PermissionDenied
    form = SeriesForm(request.POST or None, council=council)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "councils"}
        if council is not None:
            data["council"] = council
        try:
            series = services.series_create(
                data=data, councils=form.cleaned_data.get("councils", []), acting_user=request.user
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The series is created and its meetings are planned."))
            return redirect("meetings:series_detail", pk=series.pk)
    return render(request, "meetings/series_form.html", {"form": form, "council": council})


@login_required
def meeting_add(request: HttpRequest, code: str) -> HttpResponse:
    council = get_object_or_404(Council, code=code)
    if not request.user.has_perm("councils.change_council", council):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, initial={"kind": MeetingKind.SITTING, "duration_minutes": 120})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                data={**form.cleaned_data, "council": council}, councils=[council], acting_user=request.user
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("meetings:manage", pk=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "council": council})


# --- Feeds ----------------------------------------------------------------------------------------


def _ics(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    return response


def council_feed(request: HttpRequest, code: str) -> HttpResponse:
    council = get_object_or_404(Council, code=code)
    meetings = selectors.meetings_between(
        selectors.meeting_queryset().filter(is_public=True),
        timezone.localdate() - timedelta(days=60),
        timezone.localdate() + timedelta(days=400),
        council=council,
    )
    return _ics(feeds.feed_for(request, meetings, name=council.name), council.code)


def series_feed(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_object_or_404(MeetingSeries, pk=pk)
    meetings = selectors.meeting_queryset().filter(series=series, is_public=True).order_by("starts_at")
    return _ics(feeds.feed_for(request, meetings, name=series.title), f"series-{series.pk}")


def user_feed(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature as bad:
        raise Http404 from bad
    user = get_object_or_404(User, pk=user_id, is_active=True)
    return _ics(
        feeds.feed_for(request, selectors.for_user_feed(user), name=_("My meetings in Kenes")), "my-meetings"
    )
