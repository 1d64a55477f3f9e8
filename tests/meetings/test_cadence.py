"""Meeting cadences: dates by rule, moved off holidays and weekends in Kazakhstan's calendar."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kenes.core.services import calendar_override_set
from kenes.core.workcalendar import add_working_days
from kenes.meetings.cadence import Cadence, Occurrence, occurrences, overlapping

pytestmark = pytest.mark.django_db


def unmoved(*days):
    return [Occurrence(nominal=day, actual=day, moved=False) for day in days]


def moved(nominal, actual):
    return Occurrence(nominal=nominal, actual=actual, moved=True)


# --- Every N working days ---------------------------------------------------------------------------


def test_every_ten_working_days_skips_nauryz():
    # From Wed 19 March 2025: 21–25 March are off (Nauryz, weekend, moved days), so 7 April;
    # then 8–11, 14–18, 21 April; the next (6 May, after 1 May off) is past the span.
    result = occurrences(
        Cadence("working_days", interval=10), start=date(2025, 3, 19), until=date(2025, 4, 30)
    )
    assert result == unmoved(date(2025, 3, 19), date(2025, 4, 7), date(2025, 4, 21))


def test_every_ten_working_days_skips_new_year_and_orthodox_christmas():
    # From Fri 26 Dec 2025: 1–2 January and 7 January 2026 are off.
    result = occurrences(
        Cadence("working_days", interval=10), start=date(2025, 12, 26), until=date(2026, 1, 31)
    )
    assert result == unmoved(date(2025, 12, 26), date(2026, 1, 14), date(2026, 1, 28))


def test_working_day_series_starting_on_a_day_off_meets_on_the_next_working_day():
    # Sat 22 March 2025 is in the Nauryz days off; the first meeting is Wed 26 March and the next
    # ten working days count from there: 27, 28, 31 March, 1–4, 7–9 April.
    result = occurrences(
        Cadence("working_days", interval=10), start=date(2025, 3, 22), until=date(2025, 4, 10)
    )
    assert result == [moved(date(2025, 3, 22), date(2025, 3, 26)), *unmoved(date(2025, 4, 9))]


def test_working_day_series_agrees_with_deadline_counting_over_a_year():
    result = occurrences(
        Cadence("working_days", interval=10), start=date(2025, 1, 6), until=date(2025, 12, 31)
    )
    expected = [date(2025, 1, 6)]
    while (following := add_working_days(expected[-1], 10)) <= date(2025, 12, 31):
        expected.append(following)
    assert [occurrence.nominal for occurrence in result] == expected
    assert len(expected) > 20
    assert not any(occurrence.moved for occurrence in result)


def test_saturday_made_a_working_day_counts_for_working_day_series():
    # Without the decree: Mon 24 Nov 2025, Mon 1 Dec, Mon 8 Dec. With Sat 29 Nov a working day the
    # fifth working day after 24 Nov is that Saturday, and the series shifts.
    calendar_override_set(day=date(2025, 11, 29), kind="working_day", note="Decree No. 7", acting_user=None)
    result = occurrences(
        Cadence("working_days", interval=5), start=date(2025, 11, 24), until=date(2025, 12, 10)
    )
    assert result == unmoved(date(2025, 11, 24), date(2025, 11, 29), date(2025, 12, 5))


def test_saturday_made_a_working_day_is_not_moved_off():
    calendar_override_set(day=date(2025, 11, 29), kind="working_day", note="Decree No. 7", acting_user=None)
    result = occurrences(Cadence("monthly_day", day=29), start=date(2025, 11, 1), until=date(2025, 11, 30))
    assert result == unmoved(date(2025, 11, 29))


# --- Monthly ----------------------------------------------------------------------------------------


def test_monthly_on_the_last_friday():
    result = occurrences(
        Cadence("monthly_weekday", weekday=4, week=-1), start=date(2025, 1, 1), until=date(2025, 12, 31)
    )
    assert result == unmoved(
        *(
            date(2025, month, day)
            for month, day in enumerate((31, 28, 28, 25, 30, 27, 25, 29, 26, 31, 28, 26), 1)
        )
    )


def test_monthly_on_day_31_falls_back_to_the_last_day_of_shorter_months():
    result = occurrences(Cadence("monthly_day", day=31), start=date(2028, 1, 1), until=date(2028, 4, 30))
    assert result == [
        *unmoved(date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)),
        # Sun 30 April, then Mon 1 May is Unity Day.
        moved(date(2028, 4, 30), date(2028, 5, 2)),
    ]


def test_monthly_on_day_31_in_february_of_a_common_year():
    result = occurrences(Cadence("monthly_day", day=31), start=date(2027, 2, 1), until=date(2027, 2, 28))
    assert result == [moved(date(2027, 2, 28), date(2027, 3, 1))]  # Sunday 28 February


def test_half_yearly_on_the_second_tuesday():
    result = occurrences(
        Cadence("monthly_weekday", interval=6, weekday=1, week=2),
        start=date(2025, 1, 1),
        until=date(2026, 12, 31),
    )
    assert result == unmoved(date(2025, 1, 14), date(2025, 7, 8), date(2026, 1, 13), date(2026, 7, 14))


def test_monthly_series_is_anchored_at_the_start_month_and_skips_a_date_before_start():
    # Second Tuesday of January 2025 is the 14th, before the start: the series begins in July.
    result = occurrences(
        Cadence("monthly_weekday", interval=6, weekday=1, week=2),
        start=date(2025, 1, 15),
        until=date(2026, 1, 31),
    )
    assert result == unmoved(date(2025, 7, 8), date(2026, 1, 13))


def test_quarterly_series_counts_months_from_the_start_month():
    result = occurrences(
        Cadence("monthly_day", interval=3, day=5), start=date(2025, 11, 1), until=date(2026, 9, 1)
    )
    assert [occurrence.nominal for occurrence in result] == [
        date(2025, 11, 5),
        date(2026, 2, 5),
        date(2026, 5, 5),
        date(2026, 8, 5),
    ]


def test_meeting_on_a_holiday_moves_to_the_next_working_day():
    result = occurrences(Cadence("monthly_day", day=16), start=date(2025, 11, 1), until=date(2026, 1, 31))
    assert result == [
        moved(date(2025, 11, 16), date(2025, 11, 17)),  # Sunday
        moved(date(2025, 12, 16), date(2025, 12, 17)),  # Independence Day
        *unmoved(date(2026, 1, 16)),
    ]


def test_first_weekday_on_orthodox_christmas_moves_to_the_next_day():
    result = occurrences(
        Cadence("monthly_weekday", weekday=1, week=1), start=date(2025, 1, 1), until=date(2025, 2, 28)
    )
    assert result == [moved(date(2025, 1, 7), date(2025, 1, 8)), *unmoved(date(2025, 2, 4))]


def test_nominal_date_on_the_last_day_of_the_span_is_kept_when_it_moves_past_it():
    result = occurrences(Cadence("monthly_day", day=16), start=date(2025, 12, 1), until=date(2025, 12, 16))
    assert result == [moved(date(2025, 12, 16), date(2025, 12, 17))]


def test_meeting_moved_past_a_long_closure_is_found_beyond_the_first_calendar_span(django_assert_num_queries):
    # Offices closed by decree on every weekday from 2 June to 18 July 2025: Sun 1 June moves to
    # Mon 21 July, further than the span loaded at first.
    day = date(2025, 6, 2)
    while day <= date(2025, 7, 18):
        if day.weekday() < 5:
            calendar_override_set(day=day, kind="holiday", note="Decree No. 9", acting_user=None)
        day = date.fromordinal(day.toordinal() + 1)
    with django_assert_num_queries(2):
        result = occurrences(Cadence("monthly_day", day=1), start=date(2025, 6, 1), until=date(2025, 6, 1))
    assert result == [moved(date(2025, 6, 1), date(2025, 7, 21))]


# --- The span ---------------------------------------------------------------------------------------


def test_end_of_the_series_stops_generation():
    result = occurrences(
        Cadence("monthly_day", day=10),
        start=date(2025, 1, 1),
        until=date(2025, 12, 31),
        end=date(2025, 3, 10),
    )
    assert result == [
        *unmoved(date(2025, 1, 10), date(2025, 2, 10)),
        moved(date(2025, 3, 10), date(2025, 3, 11)),  # 8 March (a Saturday) observed on Monday
    ]


def test_end_of_a_working_day_series_stops_generation():
    result = occurrences(
        Cadence("working_days", interval=10),
        start=date(2025, 3, 19),
        until=date(2025, 12, 31),
        end=date(2025, 4, 20),
    )
    assert result == unmoved(date(2025, 3, 19), date(2025, 4, 7))


def test_until_earlier_than_end_limits_generation():
    result = occurrences(
        Cadence("monthly_day", day=20),
        start=date(2025, 1, 1),
        until=date(2025, 2, 28),
        end=date(2025, 12, 31),
    )
    assert [occurrence.nominal for occurrence in result] == [date(2025, 1, 20), date(2025, 2, 20)]


def test_span_ending_before_start_gives_nothing():
    assert occurrences(Cadence("monthly_day", day=20), start=date(2025, 3, 1), until=date(2025, 2, 28)) == []


def test_a_year_of_occurrences_takes_one_calendar_query(django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        daily = occurrences(
            Cadence("working_days", interval=1), start=date(2025, 1, 6), until=date(2025, 12, 31)
        )
    with django_assert_max_num_queries(2):
        monthly = occurrences(
            Cadence("monthly_day", day=31), start=date(2025, 1, 1), until=date(2025, 12, 31)
        )
    assert len(daily) > 240
    assert len(monthly) == 12


# --- Validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cadence", "field"),
    [
        (Cadence("working_days", interval=0), "interval"),
        (Cadence("working_days", interval=-3), "interval"),
        (Cadence("working_days", interval=251), "interval"),
        (Cadence("monthly_day", interval=25, day=1), "interval"),
        (Cadence("monthly_weekday", weekday=7, week=1), "weekday"),
        (Cadence("monthly_weekday", weekday=-1, week=1), "weekday"),
        (Cadence("monthly_weekday", week=1), "weekday"),
        (Cadence("monthly_weekday", weekday=4, week=5), "week"),
        (Cadence("monthly_weekday", weekday=4, week=0), "week"),
        (Cadence("monthly_weekday", weekday=4), "week"),
        (Cadence("monthly_day", day=32), "day"),
        (Cadence("monthly_day", day=0), "day"),
        (Cadence("monthly_day"), "day"),
        (Cadence("weekly"), "kind"),
    ],
)
def test_impossible_cadence_is_refused(cadence, field):
    with pytest.raises(ValidationError) as refused:
        cadence.validate()
    assert set(refused.value.message_dict) == {field}


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValidationError) as refused:
        Cadence("monthly_weekday", interval=0, weekday=9, week=5).validate()
    assert set(refused.value.message_dict) == {"interval", "weekday", "week"}


def test_refusal_explains_the_limit():
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        Cadence("working_days", interval=300).validate()
    with translation.override("en"):
        assert refused.value.message_dict == {"interval": ["Meetings recur at most every 250 working days."]}


@pytest.mark.parametrize(
    "cadence",
    [
        Cadence("working_days", interval=250),
        Cadence("monthly_day", interval=24, day=31),
        Cadence("monthly_weekday", weekday=6, week=-1),
        # Fields of another kind, left over when the kind was changed, are ignored.
        Cadence("working_days", interval=10, weekday=9, week=7, day=40),
        Cadence("monthly_day", day=1, weekday=9),
    ],
)
def test_possible_cadence_is_accepted(cadence):
    cadence.validate()


def test_occurrences_refuse_an_impossible_cadence():
    with pytest.raises(ValidationError):
        occurrences(Cadence("working_days", interval=0), start=date(2025, 1, 6), until=date(2025, 1, 31))


# --- Description ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cadence", "text"),
    [
        (Cadence("working_days", interval=10), "every 10 working days"),
        (Cadence("working_days", interval=1), "every working day"),
        (Cadence("monthly_weekday", weekday=4, week=-1), "every month on the last Friday"),
        (Cadence("monthly_weekday", weekday=3, week=-1), "every month on the last Thursday"),
        (Cadence("monthly_weekday", interval=3, weekday=1, week=2), "every 3 months on the second Tuesday"),
        (Cadence("monthly_weekday", interval=12, weekday=0, week=1), "every 12 months on the first Monday"),
        (Cadence("monthly_day", interval=6, day=15), "every 6 months on day 15"),
        (Cadence("monthly_day", day=31), "every month on day 31 (or the last day)"),
        (Cadence("monthly_day", day=28), "every month on day 28"),
    ],
)
def test_cadence_is_described_in_words(cadence, text):
    with translation.override("en"):
        assert cadence.describe() == text


# --- Collisions -------------------------------------------------------------------------------------


def test_overlapping_finds_occurrences_moved_onto_the_same_day():
    occurrences_list = [
        unmoved(date(2025, 3, 20))[0],
        moved(date(2025, 3, 22), date(2025, 3, 26)),
        moved(date(2025, 3, 24), date(2025, 3, 26)),
        unmoved(date(2025, 3, 27))[0],
    ]
    assert overlapping(occurrences_list) == [date(2025, 3, 26)]


def test_two_series_moved_off_nauryz_collide():
    # 22 March 2025 (Saturday) and 24 March (a Nauryz day off) both move to Wednesday 26 March.
    span = {"start": date(2025, 3, 1), "until": date(2025, 4, 30)}
    on_22nd = occurrences(Cadence("monthly_day", day=22), **span)
    on_24th = occurrences(Cadence("monthly_day", day=24), **span)
    assert overlapping(on_22nd) == []
    assert overlapping(on_22nd + on_24th) == [date(2025, 3, 26)]
