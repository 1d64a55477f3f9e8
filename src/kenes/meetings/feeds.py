"""iCalendar feeds of meetings (per council, per series, per person)."""

from __future__ import annotations

from django.urls import reverse

from .documents import FeedEvent, ical_feed
from .models import Meeting

STATUS = {
    Meeting.Status.CANCELLED: "CANCELLED",
    Meeting.Status.POSTPONED: "TENTATIVE",
}


def event_for(request, meeting: Meeting) -> FeedEvent:
    where = ", ".join(part for part in (meeting.place, meeting.online_link) if part)
    council = meeting.council.name if meeting.council_id else ""
    return FeedEvent(
        uid=meeting.uid,
        sequence=meeting.ical_sequence,
        summary=meeting.title,
        description="\n".join(
            part for part in (council, meeting.get_kind_display(), meeting.status_reason) if part
        ),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=where,
        url=request.build_absolute_uri(reverse("meetings:detail", args=[meeting.pk])),
        status=STATUS.get(meeting.status, "CONFIRMED"),
        last_modified=meeting.updated_at,
        created=meeting.created_at,
    )


def feed_for(request, meetings, *, name: str) -> bytes:
    return ical_feed((event_for(request, meeting) for meeting in meetings), name=name)
