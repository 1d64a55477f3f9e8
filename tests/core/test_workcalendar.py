"""Working days in Kazakhstan: statutory holidays, observed days, decree moves and corrections."""

from datetime import date

import pytest

from kenes.core.models import CalendarOverride
from kenes.core.services import calendar_override_set
from kenes.core.workcalendar import add_working_days, days_off_between, is_working_day, working_days_between

pytestmark = pytest.mark.django_db

STATUTORY_DAYS_OFF_2025 = [
    date(2025, 1, 1),  # New Year
    date(2025, 1, 2),
    date(2025, 1, 7),  # Orthodox Christmas
    date(2025, 3, 10),  # 8 March fell on a Saturday: moved to Monday
    date(2025, 3, 21),  # Nauryz
    date(2025, 3, 24),  # Nauryz 22–23 fell on the weekend
    date(2025, 3, 25),
    date(2025, 5, 1),  # Unity Day
    date(2025, 5, 7),  # Defender of the Fatherland Day
    date(2025, 5, 9),  # Victory Day
    date(2025, 7, 7),  # Capital Day (6 July, a Sunday)
    date(2025, 9, 1),  # Constitution Day (30 August, a Saturday)
    date(2025, 10, 27),  # Republic Day (25 October, a Saturday)
    date(2025, 12, 16),  # Independence Day
]


@pytest.mark.parametrize("day", STATUTORY_DAYS_OFF_2025)
def test_statutory_days_off_are_not_working_days(day):
    assert not is_working_day(day)


@pytest.mark.parametrize("day", [date(2026, 7, 6), date(2026, 12, 16), date(2026, 3, 23), date(2026, 1, 7)])
def test_holidays_on_weekdays_in_2026_are_days_off(day):
    assert not is_working_day(day)


def test_ordinary_weekdays_and_weekends():
    assert is_working_day(date(2025, 11, 27))  # Thursday
    assert not is_working_day(date(2025, 11, 29))  # Saturday
    assert not is_working_day(date(2025, 11, 30))  # Sunday


def test_ten_working_days_across_nauryz():
    # Sent on Wednesday 19 March 2025: 20 counts, 21–25 are off (Nauryz, weekend, moved days),
    # then 26, 27, 28, 31 March and 1, 2, 3, 4, 7 April.
    assert add_working_days(date(2025, 3, 19), 10) == date(2025, 4, 7)


def test_ten_working_days_across_new_year_and_christmas():
    # 26 Dec 2025 (Fri) → 29, 30, 31 Dec, then 1–2 Jan off, 5, 6 Jan, 7 off, 8, 9, 12, 13, 14 Jan.
    assert add_working_days(date(2025, 12, 26), 10) == date(2026, 1, 14)


def test_may_holidays_are_skipped():
    # 30 April 2025 (Wed): 1 May off, 2 May, 5, 6, 7 off, 8, 9 off, 12, 13, 14, 15.
    assert add_working_days(date(2025, 4, 30), 8) == date(2025, 5, 15)


def test_zero_working_days_from_a_day_off_gives_the_next_working_day():
    assert add_working_days(date(2025, 3, 22), 0) == date(2025, 3, 26)
    assert add_working_days(date(2025, 11, 27), 0) == date(2025, 11, 27)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2025, 1, 1), -1)


def test_working_days_between_counts_after_start_up_to_end():
    assert working_days_between(date(2025, 3, 19), date(2025, 4, 7)) == 10
    assert working_days_between(date(2025, 4, 7), date(2025, 3, 19)) == -10
    assert working_days_between(date(2025, 3, 19), date(2025, 4, 2)) == 7
    assert working_days_between(date(2025, 11, 27), date(2025, 11, 27)) == 0


def test_moved_working_saturday_counts_and_extra_day_off_does_not():
    # A decree makes Saturday 8 Nov 2025 a working day and Monday 10 Nov a day off.
    calendar_override_set(day=date(2025, 11, 8), kind="working_day", note="Decree No. 1", acting_user=None)
    calendar_override_set(day=date(2025, 11, 10), kind="holiday", note="Decree No. 1", acting_user=None)
    assert is_working_day(date(2025, 11, 8))
    assert not is_working_day(date(2025, 11, 10))
    # Fri 7 Nov + 2 working days: Sat 8 (moved), then Tue 11 (Mon 10 is off).
    assert add_working_days(date(2025, 11, 7), 2) == date(2025, 11, 11)


def test_override_without_reason_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        calendar_override_set(day=date(2025, 11, 8), kind="working_day", note=" ", acting_user=None)
    assert not CalendarOverride.objects.exists()


def test_days_off_explain_how_a_deadline_was_computed():
    from django.utils import translation

    with translation.override("en"):
        reasons = {info.day: info.reason for info in days_off_between(date(2025, 3, 19), date(2025, 4, 2))}
    assert set(reasons) == {date(2025, 3, d) for d in (21, 22, 23, 24, 25, 29, 30)}
    assert "Nowruz" in reasons[date(2025, 3, 21)]


def test_holiday_reasons_are_translated():
    from django.utils import translation

    with translation.override("ru"):
        reason = days_off_between(date(2025, 12, 15), date(2025, 12, 16))[0].reason
    assert reason == "День Независимости"


def test_deadline_far_ahead_spans_several_calendar_windows():
    end = add_working_days(date(2025, 1, 3), 250)
    assert working_days_between(date(2025, 1, 3), end) == 250


def test_subtract_working_days_for_an_agenda_deadline():
    from kenes.core.workcalendar import subtract_working_days

    # Friday 28 Nov 2025: Wednesday, Thursday, Friday count → out by Tuesday 25 Nov.
    assert subtract_working_days(date(2025, 11, 28), 3) == date(2025, 11, 25)
    # Wednesday 26 March 2025 after Nauryz: 26, 20, 19 count → out by Tuesday 18 March.
    assert subtract_working_days(date(2025, 3, 26), 3) == date(2025, 3, 18)
    assert working_days_between(subtract_working_days(date(2025, 3, 26), 3), date(2025, 3, 26)) == 3


def test_a_batch_job_reads_the_corrections_once(django_assert_num_queries):
    """Inside ``loaded()`` every deadline uses the corrections read on entering it: same answers,
    one query for any number of calendars (the nightly sweep computes thousands)."""
    from kenes.core import workcalendar

    CalendarOverride.objects.create(
        day=date(2026, 3, 14), kind=CalendarOverride.Kind.WORKING_DAY, note="decree"
    )
    CalendarOverride.objects.create(day=date(2026, 4, 2), kind=CalendarOverride.Kind.HOLIDAY, note="extra")
    spans = [
        (date(2026, 3, 1), date(2026, 4, 30)),
        (date(2026, 3, 10), date(2026, 3, 20)),
        (date(2025, 12, 20), date(2026, 1, 10)),
    ]
    expected = [
        (working_days_between(a, b), add_working_days(a, 10), days_off_between(a, b)) for a, b in spans
    ]
    with django_assert_num_queries(1), workcalendar.loaded():
        got = [
            (working_days_between(a, b), add_working_days(a, 10), days_off_between(a, b)) for a, b in spans
        ]
    assert got == expected
    assert is_working_day(date(2026, 3, 14)) and not is_working_day(date(2026, 4, 2))
