"""Documents a meeting produces for people outside Kenes: the minutes PDF and iCalendar feeds.

``minutes_pdf`` renders the minutes (хаттама / протокол) a council files officially: A4, DejaVu Sans
embedded so that Kazakh and Russian letters print and copy correctly, fixed labels in the active
language, page numbers "page X of Y". The same data always gives the same bytes, so a stored copy
can be compared with a fresh rendering.

``ical_feed`` writes an RFC 5545 calendar that calendar programs subscribe to. Each meeting keeps
its UID for life and raises its SEQUENCE with every change, so a moved or cancelled meeting
replaces the copy in the subscriber's calendar instead of appearing twice.

Both functions take plain dataclasses, not models: the selectors decide what goes in, these only
lay it out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.staticfiles import finders
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos
from icalendar import Calendar, Event, vDuration

# Official documents state Kazakhstan time whatever time zone the reader's session uses. The whole
# country is UTC+5 since 1 March 2024, so one zone serves every council.
KAZAKHSTAN_TIME = ZoneInfo("Asia/Almaty")

FONT_FAMILY = "DejaVuSans"
FONT_FILES = {"": "vendor/fonts/DejaVuSans.ttf", "B": "vendor/fonts/DejaVuSans-Bold.ttf"}

# Layout in millimetres and points. Left margin is wider for binding, as in filed paper documents.
MARGIN_LEFT = 25
MARGIN_RIGHT = 15
MARGIN_TOP = 20
MARGIN_BOTTOM = 20
TEXT_SIZE = 10.5
SMALL_SIZE = 8
LINE = 5.5
INDENT = 8
PARAGRAPH_GAP = 2
SECTION_GAP = 4
SIGNATURE_LINE = "_" * 22

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")

PRODID = "-//Kenes//Public councils of Kazakhstan//KK"
FEED_TIMEZONE = "Asia/Almaty"
# How often subscribers should fetch the feed again.
FEED_REFRESH = timedelta(hours=1)
EVENT_STATUSES = frozenset({"CONFIRMED", "TENTATIVE", "CANCELLED"})


@dataclass(frozen=True)
class MinutesItem:
    number: int
    title: str
    presenter: str
    decision: str  # decision text ('' if none)
    votes_for: int | None
    votes_against: int | None
    votes_abstained: int | None
    outcome: str  # already-translated label, e.g. "adopted" ('' if none)


@dataclass(frozen=True)
class MinutesData:
    council: str
    title: str
    kind: str  # translated label, e.g. "council sitting"
    number: str
    starts_at: datetime  # aware
    place: str
    online_link: str
    chair: str
    secretary: str
    present: list[str]
    absent: list[tuple[str, str]]  # (name, reason)
    invited_count: int
    present_count: int
    quorum_required: int
    quorum_met: bool
    items: list[MinutesItem]
    body: str  # free text; paragraphs separated by blank lines
    approved_by: str  # '' if not approved
    approved_at: datetime | None


@dataclass(frozen=True)
class FeedEvent:
    uid: str  # stable for the meeting's whole life, e.g. "meeting-42@kenes.kz"
    sequence: int  # increases with every change of the meeting
    summary: str
    description: str
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    location: str
    url: str  # absolute URL of the meeting page ('' if none)
    status: str  # "CONFIRMED" | "TENTATIVE" | "CANCELLED"
    last_modified: datetime  # aware
    created: datetime  # aware


# --- Minutes PDF ---------------------------------------------------------------------------------


def minutes_pdf(data: MinutesData) -> bytes:
    """Render the minutes of one meeting as a PDF, with labels in the active language.

    The PDF's creation date is the approval time, or the meeting's start for a draft, rather than
    the moment of rendering, so with the same fpdf2 and fonts the bytes depend only on ``data`` and
    the active language.
    """
    heading = _("Minutes No. %(number)s") % {"number": data.number}
    pdf = _MinutesDocument(running_title=f"{data.council} — {heading}")
    pdf.set_title(f"{heading} — {data.council}")
    pdf.set_subject(data.title)
    pdf.set_author(data.council)
    pdf.set_creator("Kenes")
    pdf.set_lang(get_language() or "kk")
    pdf.set_creation_date(_local(data.approved_at or data.starts_at))
    pdf.add_page()

    _write_title_block(pdf, data, heading)
    _write_attendance(pdf, data)
    _write_agenda(pdf, data.items)
    _write_body(pdf, data.body)
    _write_approval(pdf, data)
    return bytes(pdf.output())


class _MinutesDocument(FPDF):
    def __init__(self, *, running_title: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        for style, path in _font_paths().items():
            self.add_font(FONT_FAMILY, style, path)
        self.running_title = running_title
        self.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
        self.set_auto_page_break(auto=True, margin=MARGIN_BOTTOM)
        self.alias_nb_pages("{nb}")
        self.set_font(FONT_FAMILY, size=TEXT_SIZE)

    def header(self) -> None:
        # The first page carries the full title block; later pages say whose minutes they are.
        if self.page_no() == 1:
            return
        with self.local_context(font_family=FONT_FAMILY, font_style="", font_size_pt=SMALL_SIZE):
            self.set_text_color(90)
            self.multi_cell(0, 4, self.running_title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(SECTION_GAP)

    def footer(self) -> None:
        self.set_y(-MARGIN_BOTTOM + 6)
        with self.local_context(font_family=FONT_FAMILY, font_style="", font_size_pt=SMALL_SIZE):
            self.set_text_color(90)
            label = _("Page %(page)s of %(pages)s") % {
                "page": self.page_no(),
                "pages": self.str_alias_nb_pages,
            }
            self.cell(0, 4, label, align="C")


def _font_paths() -> dict[str, str]:
    paths = {}
    for style, name in FONT_FILES.items():
        path = finders.find(name)
        if not path:
            raise RuntimeError(
                f"The minutes PDF needs the font static file {name!r}, which is missing. "
                "Run scripts/build_assets.sh to install it from the npm registry."
            )
        paths[style] = str(path)
    return paths


def _write_title_block(pdf: FPDF, data: MinutesData, heading: str) -> None:
    _text(pdf, data.council, bold=True, size=12, align="C")
    pdf.ln(SECTION_GAP)
    _text(pdf, heading, bold=True, size=14, align="C")
    if not data.approved_by:
        _text(pdf, _("Draft, not approved"), size=SMALL_SIZE + 1, align="C")
    pdf.ln(PARAGRAPH_GAP)
    if data.kind:
        _text(pdf, data.kind, align="C")
    _text(pdf, data.title, bold=True, align="C")
    pdf.ln(SECTION_GAP)

    starts_at = _local(data.starts_at)
    _labelled(pdf, _("Date and time:"), f"{_date(starts_at)}, {time_format(starts_at, 'H:i')}")
    if data.place:
        _labelled(pdf, _("Place:"), data.place)
    if data.online_link:
        _labelled(pdf, _("Online:"), data.online_link)
    _labelled(pdf, _("Chair:"), data.chair or "—")
    _labelled(pdf, _("Secretary:"), data.secretary or "—")
    pdf.ln(SECTION_GAP)


def _write_attendance(pdf: FPDF, data: MinutesData) -> None:
    _heading(pdf, _("Present:"))
    _numbered(pdf, data.present)
    pdf.ln(PARAGRAPH_GAP)

    _heading(pdf, _("Absent:"))
    _numbered(pdf, [f"{name} — {reason}" if reason else name for name, reason in data.absent])
    pdf.ln(PARAGRAPH_GAP)

    counts = {
        "present": data.present_count,
        "invited": data.invited_count,
        "required": data.quorum_required,
    }
    if data.quorum_met:
        quorum = _("Present %(present)s of %(invited)s; quorum %(required)s: met") % counts
    else:
        quorum = _("Present %(present)s of %(invited)s; quorum %(required)s: not met") % counts
    _text(pdf, quorum, bold=True)
    pdf.ln(SECTION_GAP)


def _write_agenda(pdf: FPDF, items: list[MinutesItem]) -> None:
    if not items:
        return
    _heading(pdf, _("Agenda"), keep_lines=4)
    for item in items:
        # An item's title never stands alone at the foot of a page.
        if pdf.will_page_break(LINE * 3):
            pdf.add_page()
        _hanging(pdf, f"{item.number}.", item.title, bold=True)
        with _indented(pdf, INDENT):
            if item.presenter:
                _labelled(pdf, _("Presenter:"), item.presenter)
            if item.decision:
                _labelled(pdf, _("Decided:"), item.decision)
            votes = (item.votes_for, item.votes_against, item.votes_abstained)
            if any(count is not None for count in votes):
                tally = _("for %(for)s, against %(against)s, abstained %(abstained)s") % {
                    "for": _count(item.votes_for),
                    "against": _count(item.votes_against),
                    "abstained": _count(item.votes_abstained),
                }
                _labelled(pdf, _("Votes:"), tally)
            if item.outcome:
                _labelled(pdf, _("Outcome:"), item.outcome)
        pdf.ln(PARAGRAPH_GAP)
    pdf.ln(SECTION_GAP - PARAGRAPH_GAP)


def _write_body(pdf: FPDF, body: str) -> None:
    paragraphs = [paragraph.strip() for paragraph in PARAGRAPH_BREAK.split(_plain(body).strip())]
    paragraphs = [paragraph for paragraph in paragraphs if paragraph]
    if not paragraphs:
        return
    _heading(pdf, _("Proceedings"), keep_lines=3)
    for paragraph in paragraphs:
        _text(pdf, paragraph, align="J")
        pdf.ln(PARAGRAPH_GAP)
    pdf.ln(SECTION_GAP - PARAGRAPH_GAP)


def _write_approval(pdf: FPDF, data: MinutesData) -> None:
    # Approval line and both signatures stay on one page.
    if pdf.will_page_break(LINE * 9):
        pdf.add_page()
    if data.approved_by and data.approved_at:
        approved = _local(data.approved_at)
        _text(
            pdf,
            _("Approved by %(name)s on %(date)s.")
            % {"name": data.approved_by, "date": f"{_date(approved)}, {time_format(approved, 'H:i')}"},
        )
    elif data.approved_by:
        _text(pdf, _("Approved by %(name)s.") % {"name": data.approved_by})
    else:
        _text(pdf, _("The minutes have not been approved yet."))
    pdf.ln(SECTION_GAP * 2)
    _signature(pdf, _("Chair of the meeting"), data.chair)
    pdf.ln(SECTION_GAP * 2)
    _signature(pdf, _("Secretary"), data.secretary)


# Small layout helpers. Every piece of text goes through multi_cell or write, so it wraps.


def _text(pdf: FPDF, text: str, *, bold: bool = False, size: float = TEXT_SIZE, align: str = "L") -> None:
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    pdf.multi_cell(0, LINE * size / TEXT_SIZE, _plain(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "", TEXT_SIZE)


def _heading(pdf: FPDF, text: str, *, keep_lines: int = 2) -> None:
    if pdf.will_page_break(LINE * keep_lines):
        pdf.add_page()
    _text(pdf, text, bold=True)
    pdf.ln(1)


def _labelled(pdf: FPDF, label: str, value: str) -> None:
    """A bold label followed by its value in the same paragraph, wrapping at the left margin."""
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FONT_FAMILY, "B", TEXT_SIZE)
    pdf.write(LINE, _plain(label) + " ")
    pdf.set_font(FONT_FAMILY, "", TEXT_SIZE)
    pdf.write(LINE, _plain(value))
    pdf.ln(LINE)


def _hanging(pdf: FPDF, marker: str, text: str, *, bold: bool = False) -> None:
    """``marker`` in the margin, ``text`` wrapping beside it."""
    pdf.set_font(FONT_FAMILY, "B" if bold else "", TEXT_SIZE)
    pdf.set_x(pdf.l_margin)
    pdf.cell(INDENT, LINE, marker)
    pdf.multi_cell(0, LINE, _plain(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "", TEXT_SIZE)


def _numbered(pdf: FPDF, entries: list[str]) -> None:
    if not entries:
        _hanging(pdf, "", "—")
    for position, entry in enumerate(entries, start=1):
        _hanging(pdf, f"{position}.", entry)


def _signature(pdf: FPDF, role: str, name: str) -> None:
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FONT_FAMILY, "", TEXT_SIZE)
    top = pdf.get_y()
    role_height = pdf.multi_cell(
        55, LINE, _plain(role), align="L", new_x=XPos.RIGHT, new_y=YPos.TOP, output=MethodReturnValue.HEIGHT
    )
    pdf.cell(55, LINE, SIGNATURE_LINE)
    pdf.multi_cell(0, LINE, _plain(name), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    # The role may wrap to more lines than the name; continue below the taller of the two.
    pdf.set_y(max(pdf.get_y(), top + role_height))


@contextmanager
def _indented(pdf: FPDF, by: float) -> Iterator[None]:
    previous = pdf.l_margin
    pdf.set_left_margin(previous + by)
    try:
        yield
    finally:
        pdf.set_left_margin(previous)
        pdf.set_x(previous)


def _plain(text: str) -> str:
    # Browsers send text areas with CRLF; a lone CR or a tab has no glyph in the font.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")


def _local(value: datetime) -> datetime:
    return timezone.localtime(value, KAZAKHSTAN_TIME)


def _date(value: datetime) -> str:
    # Numeric dates read the same in Kazakh, Russian and English and are usual in filed documents.
    return date_format(value, "d.m.Y")


def _count(value: int | None) -> str:
    return "—" if value is None else str(value)


# --- iCalendar feeds -----------------------------------------------------------------------------


def ical_feed(events: Iterable[FeedEvent], *, name: str, description: str = "") -> bytes:
    """An iCalendar (RFC 5545) feed of ``events`` in the given order, lines ending in CRLF.

    Times are written in UTC, so no VTIMEZONE is needed and every client places them correctly.
    Cancelled meetings stay in the feed with STATUS:CANCELLED and a higher SEQUENCE: that is how
    a subscriber's calendar learns to drop them.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # RFC 7986 names and the older X-WR-* ones, which Google Calendar and Outlook still read.
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    if description:
        calendar.add("description", description)
        calendar.add("x-wr-caldesc", description)
    calendar.add("x-wr-timezone", FEED_TIMEZONE)
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    # An X- property has no known type: without vDuration it would be written as "1:00:00".
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    for event in events:
        calendar.add_component(_vevent(event))
    return calendar.to_ical()


def _vevent(event: FeedEvent) -> Event:
    if event.status not in EVENT_STATUSES:
        raise ValueError(f"Unknown event status {event.status!r}; expected one of {sorted(EVENT_STATUSES)}.")
    starts_at, ends_at = _utc(event.starts_at), _utc(event.ends_at)
    if ends_at < starts_at:
        raise ValueError(f"Event {event.uid} ends before it starts.")
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", _utc(event.last_modified))
    vevent.add("dtstart", starts_at)
    vevent.add("dtend", ends_at)
    vevent.add("summary", event.summary)
    # Empty DESCRIPTION and LOCATION lines would show as blank fields in some calendar programs.
    if event.description:
        vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("status", event.status)
    vevent.add("created", _utc(event.created))
    vevent.add("last-modified", _utc(event.last_modified))
    return vevent


def _utc(value: datetime) -> datetime:
    if timezone.is_naive(value):
        # A naive time would be written as "floating" and shown at the subscriber's own clock time.
        raise ValueError(f"Calendar times must be aware, got naive {value.isoformat()}.")
    # iCalendar times have whole seconds.
    return value.astimezone(UTC).replace(microsecond=0)
