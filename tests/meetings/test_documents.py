"""The minutes PDF and the iCalendar feed, read back with the tools a reader's software uses."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from icalendar import Calendar
from pypdf import PdfReader

from kenes.meetings.documents import FeedEvent, MinutesData, MinutesItem, ical_feed, minutes_pdf

ALMATY = ZoneInfo("Asia/Almaty")
# Every Kazakh-specific letter, small and capital.
KAZAKH_LETTERS = "әғқңөұүһі" + "ӘҒҚҢӨҰҮҺІ"


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def one_line(text: str) -> str:
    """Text with the PDF's line breaks undone, so a wrapped phrase can be searched for."""
    return " ".join(text.split())


def minutes(**changes) -> MinutesData:
    items = [
        MinutesItem(
            number=number,
            title=f"Әлеуметтік осал топтарды қолдау: Өскемен және Ұлытау өңірлері ({number})",
            presenter="Ғалымжан Һидаятұлы Қасымов",
            decision=(
                "Үкімет пен әкімдікке ұсыным жіберілсін. "
                "Рекомендовать акимату Ұлытауской области подъём тарифов отложить. " * 4
            ),
            votes_for=11,
            votes_against=1,
            votes_abstained=None if number == 12 else 0,
            outcome="adopted",
        )
        for number in range(1, 13)
    ]
    data = MinutesData(
        council="Қоғамдық кеңес при Министерстве труда и социальной защиты населения Республики Казахстан",
        title="Қоғамдық кеңестің әлеуметтік қорғау мәселелері бойынша отырысы",
        kind="council sitting",
        number="3",
        starts_at=datetime(2026, 3, 12, 10, 0, tzinfo=ALMATY),
        place="Астана қ., Үкімет үйі, 4-кіреберіс",
        online_link="https://meet.kenes.kz/rooms/" + "қоғамдық-кеңес-" * 8,
        chair="Әлия Ғабитқызы Нұрланова",
        secretary="Іле Ңғалиев",
        present=[
            "Әлия Ғабитқызы Нұрланова",
            "Іле Ңғалиев",
            "Щёкин Подъёмов Эдуард Юрьевич",
            "Ұлжан Өмірзаққызы " + "Шаһарбанұлы" * 6,
        ],
        absent=[("Һарун Үсенов", "іссапар"), ("Ерлан Ғаббасов", "")],
        invited_count=15,
        present_count=12,
        quorum_required=10,
        quorum_met=True,
        items=items,
        body=(
            "Отырысты Қоғамдық кеңес төрағасы ашты.\r\n\r\n"
            "Председатель сообщил о ходе исполнения рекомендаций.\n   \n"
            f"Қорытынды: {KAZAKH_LETTERS}."
        ),
        approved_by="Әлия Ғабитқызы Нұрланова",
        approved_at=datetime(2026, 3, 13, 9, 30, tzinfo=ALMATY),
    )
    return replace(data, **changes)


def feed_event(**changes) -> FeedEvent:
    event = FeedEvent(
        uid="meeting-42@kenes.kz",
        sequence=2,
        summary="Қоғамдық кеңес отырысы: әлеуметтік мәселелер",
        description="Күн тәртібі: Өскемен, Ұлытау.\nПовестка дня приложена.",
        starts_at=datetime(2026, 3, 12, 10, 0, tzinfo=ALMATY),
        ends_at=datetime(2026, 3, 12, 12, 0, tzinfo=ALMATY),
        location="Астана, Үкімет үйі",
        url="https://kenes.kz/meetings/42/",
        status="CONFIRMED",
        last_modified=datetime(2026, 3, 1, 15, 45, 10, tzinfo=ALMATY),
        created=datetime(2026, 2, 20, 9, 0, tzinfo=ALMATY),
    )
    return replace(event, **changes)


# --- Minutes PDF ---------------------------------------------------------------------------------


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_minutes_pdf_keeps_kazakh_and_russian_letters_when_text_is_extracted(english):
    pdf = minutes_pdf(minutes())

    assert pdf.startswith(b"%PDF-")
    text = one_line("\n".join(pdf_pages(pdf)))
    for phrase in [
        "Қоғамдық кеңес",
        "әлеуметтік",
        "Әлеуметтік осал топтарды қолдау",
        "Өскемен",
        "Үкімет",
        "Ұлытау",
        "Һидаятұлы",
        "Шаһарбанұлы",
        "Ғалымжан",
        "Іле Ңғалиев",
        "Щёкин Подъёмов Эдуард Юрьевич",
        "при Министерстве труда и социальной защиты",
        "Һарун Үсенов — іссапар",
        KAZAKH_LETTERS,
    ]:
        assert phrase in text, phrase


def test_minutes_pdf_with_twelve_items_numbers_every_page_of_the_total(english):
    pages = pdf_pages(minutes_pdf(minutes()))

    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
    assert "12. Әлеуметтік осал топтарды" in one_line("\n".join(pages))


def test_minutes_pdf_states_attendance_quorum_and_votes_in_english(english):
    text = one_line("\n".join(pdf_pages(minutes_pdf(minutes()))))

    assert "Minutes No. 3" in text
    assert "Present:" in text and "Absent:" in text
    assert "Present 12 of 15; quorum 10: met" in text
    assert "Votes: for 11, against 1, abstained 0" in text
    # An abstention count that was not recorded is shown as a dash, not as zero.
    assert "Votes: for 11, against 1, abstained —" in text
    assert "Outcome: adopted" in text
    assert "Approved by Әлия Ғабитқызы Нұрланова on 13.03.2026, 09:30." in text
    assert "Chair of the meeting" in text and "Secretary" in text


def test_minutes_pdf_prints_the_meeting_time_in_kazakhstan_time(english):
    # 05:00 UTC is 10:00 in Astana; a user's own time zone must not change the filed document.
    data = minutes(starts_at=datetime(2026, 3, 12, 5, 0, tzinfo=UTC))

    with timezone.override(ZoneInfo("Europe/Berlin")):
        text = pdf_pages(minutes_pdf(data))[0]

    assert "Date and time: 12.03.2026, 10:00" in text


def test_unapproved_minutes_without_quorum_say_so(english):
    data = minutes(quorum_met=False, present_count=8, approved_by="", approved_at=None, items=[])
    text = one_line("\n".join(pdf_pages(minutes_pdf(data))))

    assert "Draft, not approved" in text
    assert "Present 8 of 15; quorum 10: not met" in text
    assert "The minutes have not been approved yet." in text
    assert "Approved by" not in text
    assert "Agenda" not in text


def test_minutes_pdf_keeps_body_paragraphs_apart(english):
    text = pdf_pages(minutes_pdf(minutes(items=[])))[-1]

    lines = [line.strip() for line in text.splitlines()]
    assert "Отырысты Қоғамдық кеңес төрағасы ашты." in lines
    assert "Председатель сообщил о ходе исполнения рекомендаций." in lines


def test_minutes_pdf_is_the_same_bytes_for_the_same_data(english):
    assert minutes_pdf(minutes()) == minutes_pdf(minutes())


def test_minutes_pdf_metadata_names_the_minutes_and_the_approval_date(english):
    reader = PdfReader(BytesIO(minutes_pdf(minutes())))

    assert reader.metadata.title == (
        "Minutes No. 3 — Қоғамдық кеңес при Министерстве труда и социальной защиты населения Республики Казахстан"
    )
    assert reader.metadata.creation_date == datetime(2026, 3, 13, 9, 30, tzinfo=ALMATY)


def test_minutes_pdf_embeds_the_dejavu_fonts(english):
    reader = PdfReader(BytesIO(minutes_pdf(minutes())))

    fonts = reader.pages[0]["/Resources"]["/Font"]
    descendants = [font.get_object()["/DescendantFonts"][0].get_object() for font in fonts.values()]
    assert {font["/BaseFont"].split("+", 1)[1] for font in descendants} == {
        "DejaVuSansBook",
        "DejaVuSansBold",
    }
    assert all("/FontFile2" in font["/FontDescriptor"] for font in descendants)


def test_minutes_pdf_without_the_fonts_asks_to_build_the_assets(settings, tmp_path):
    settings.STATICFILES_DIRS = [tmp_path]

    with pytest.raises(RuntimeError, match="scripts/build_assets.sh"):
        minutes_pdf(minutes())


# --- iCalendar feed ------------------------------------------------------------------------------


def test_ical_feed_describes_the_calendar():
    feed = ical_feed([], name="Қоғамдық кеңес отырыстары", description="Кестесі")
    calendar = Calendar.from_ical(feed)

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//Kenes//Public councils of Kazakhstan//KK"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Қоғамдық кеңес отырыстары"
    assert calendar["X-WR-CALDESC"] == "Кестесі"
    assert calendar["X-WR-TIMEZONE"] == "Asia/Almaty"
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    # Calendar programs read these two lines literally; a parser keeps X- properties as plain text.
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in feed
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in feed


def test_ical_feed_has_one_event_per_meeting_with_its_identity():
    events = [
        feed_event(),
        feed_event(uid="meeting-43@kenes.kz", sequence=0, status="TENTATIVE", url=""),
    ]

    parsed = Calendar.from_ical(ical_feed(events, name="Кеңес")).walk("VEVENT")

    assert [str(event["UID"]) for event in parsed] == ["meeting-42@kenes.kz", "meeting-43@kenes.kz"]
    assert [event.decoded("SEQUENCE") for event in parsed] == [2, 0]
    assert [str(event["STATUS"]) for event in parsed] == ["CONFIRMED", "TENTATIVE"]
    assert str(parsed[0]["URL"]) == "https://kenes.kz/meetings/42/"
    assert "URL" not in parsed[1]


def test_ical_feed_writes_times_in_utc():
    feed = ical_feed([feed_event()], name="Кеңес")
    event = Calendar.from_ical(feed).walk("VEVENT")[0]

    assert b"\r\nDTSTART:20260312T050000Z\r\n" in feed
    assert b"\r\nDTEND:20260312T070000Z\r\n" in feed
    assert event.decoded("DTSTART") == datetime(2026, 3, 12, 5, 0, tzinfo=UTC)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTSTAMP") == datetime(2026, 3, 1, 10, 45, 10, tzinfo=UTC)
    assert event.decoded("LAST-MODIFIED") == datetime(2026, 3, 1, 10, 45, 10, tzinfo=UTC)
    assert event.decoded("CREATED") == datetime(2026, 2, 20, 4, 0, tzinfo=UTC)


def test_cancelled_meeting_keeps_its_uid_with_a_higher_sequence():
    planned = Calendar.from_ical(ical_feed([feed_event()], name="Кеңес")).walk("VEVENT")[0]
    cancelled = Calendar.from_ical(
        ical_feed([feed_event(sequence=3, status="CANCELLED")], name="Кеңес")
    ).walk("VEVENT")[0]

    assert cancelled["UID"] == planned["UID"]
    assert cancelled.decoded("SEQUENCE") > planned.decoded("SEQUENCE")
    assert cancelled["STATUS"] == "CANCELLED"


def test_ical_feed_lines_end_with_crlf():
    feed = ical_feed([feed_event(description="Бірінші жол.\n" + "Өте ұзын сипаттама. " * 20)], name="Кеңес")

    assert feed.startswith(b"BEGIN:VCALENDAR\r\n")
    assert feed.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in feed.replace(b"\r\n", b"")
    # Long lines are folded at 75 octets without splitting a UTF-8 character.
    assert all(len(line) <= 75 for line in feed.split(b"\r\n"))
    feed.decode("utf-8")


def test_ical_feed_round_trips_kazakh_text():
    event = Calendar.from_ical(ical_feed([feed_event()], name="Кеңес")).walk("VEVENT")[0]

    assert str(event["SUMMARY"]) == "Қоғамдық кеңес отырысы: әлеуметтік мәселелер"
    assert str(event["DESCRIPTION"]) == "Күн тәртібі: Өскемен, Ұлытау.\nПовестка дня приложена."
    assert str(event["LOCATION"]) == "Астана, Үкімет үйі"


def test_ical_feed_refuses_naive_times_and_unknown_statuses():
    with pytest.raises(ValueError, match="aware"):
        ical_feed([feed_event(starts_at=datetime(2026, 3, 12, 10, 0))], name="Кеңес")
    with pytest.raises(ValueError, match="status"):
        ical_feed([feed_event(status="POSTPONED")], name="Кеңес")
