"""API of meetings: `/api/v1/meetings`, `/api/v1/series`; public meetings (and the caller's own)."""

from datetime import date, datetime, timedelta

from django.db.models import Prefetch
from django.http import Http404
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from kenes.core.api import Code, ErrorOut, Pages, ValidationErrorOut
from kenes.councils.models import Council

from . import selectors
from .models import AgendaItem, Meeting, MeetingSeries

router = Router(tags=["meetings"])
series_router = Router(tags=["meetings"])


class DecisionOut(Schema):
    text: str
    outcome: str
    votes_for: int | None
    votes_against: int | None
    votes_abstained: int | None
    basis_for_recommendations: bool


class AgendaItemOut(Schema):
    position: int
    title: str
    presenter: str
    decision: DecisionOut | None = None

    @staticmethod
    def resolve_decision(obj: AgendaItem):
        return getattr(obj, "decision", None)


class MeetingOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    status_reason: str
    council: str | None = Field(None, description="code of the council whose meeting it is")
    councils: list[str] = Field(description="codes of the councils invited")
    starts_at: datetime
    ends_at: datetime
    place: str
    online_link: str
    series: int | None
    agenda_published_at: datetime | None
    url: str

    @staticmethod
    def resolve_council(obj: Meeting):
        return obj.council.code if obj.council_id else None

    @staticmethod
    def resolve_councils(obj: Meeting):
        return [council.code for council in obj.councils.all()]

    @staticmethod
    def resolve_series(obj: Meeting):
        return obj.series_id

    @staticmethod
    def resolve_url(obj: Meeting):
        return f"/meetings/{obj.pk}/"


class MeetingDetailOut(MeetingOut):
    agenda: list[AgendaItemOut]

    @staticmethod
    def resolve_agenda(obj: Meeting):
        return [item for item in obj.agenda_items.all() if item.status == AgendaItem.Status.ACCEPTED]


@router.get(
    "",
    response={200: list[MeetingOut], 400: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="List meetings",
)
@paginate(Pages, page_size=50)
def list_meetings(request, council: Code | None = None, start: date | None = None, end: date | None = None):
    """Meetings the caller may see, by default from today for a year; filter by council code.

    Dates outside 2000–2100 or an end before the start are a 400, a council code that names nothing a 404.
    """
    from django.utils import timezone

    start = start or timezone.localdate()
    if not date(2000, 1, 1) <= start <= date(2100, 12, 31):
        raise HttpError(400, "start must be a date between 2000 and 2100")
    end = end or start + timedelta(days=366)
    if not start <= end <= date(2101, 12, 31):
        raise HttpError(400, "start and end must be dates between 2000 and 2100, start not after end")
    found = None
    if council:
        found = Council.objects.filter(code=council).first()
        if found is None:
            raise Http404
    visible = selectors.visible_meetings(request.user, selectors.meeting_queryset())
    meetings = selectors.meetings_between(visible, start, end, council=found)
    return meetings.prefetch_related("councils")


@router.get(
    "/{meeting_id}",
    response={200: MeetingDetailOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="One meeting with its agenda and decisions",
)
def get_meeting(request, meeting_id: int):
    meeting = (
        selectors.visible_meetings(request.user, selectors.meeting_queryset())
        .prefetch_related(
            "councils",
            Prefetch(
                "agenda_items", queryset=AgendaItem.objects.select_related("decision").order_by("position")
            ),
        )
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


class SeriesOut(Schema):
    id: int
    title: str
    kind: str
    cadence: str
    start_time: str
    starts_on: date
    ends_on: date | None
    council: str | None

    @staticmethod
    def resolve_cadence(obj: MeetingSeries):
        return obj.cadence.describe()

    @staticmethod
    def resolve_start_time(obj: MeetingSeries):
        return obj.start_time.strftime("%H:%M")

    @staticmethod
    def resolve_council(obj: MeetingSeries):
        return obj.council.code if obj.council_id else None


@series_router.get(
    "", response={200: list[SeriesOut], 422: ValidationErrorOut}, summary="List regular meeting series"
)
@paginate(Pages, page_size=50)
def list_series(request):
    return selectors.series_list()
