"""Regular meeting cadences and the dates they give, counted in Kazakhstan's working-day calendar.

A council meets the Civil Society Affairs Committee every 10 working days, the Minister monthly, the
Government every half-year, and holds its own sittings (quarterly, "the last Thursday of every
month"). The rule gives a nominal date; a nominal date on a day off moves to the next working day.
Working-day cadences count from the previous meeting's actual date, so they never land on a day off
except when the series starts on one.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from kenes.core.workcalendar import WorkCalendar

WORKING_DAYS = "working_days"
MONTHLY_WEEKDAY = "monthly_weekday"
MONTHLY_DAY = "monthly_day"
KINDS = (WORKING_DAYS, MONTHLY_WEEKDAY, MONTHLY_DAY)

# About a year of working days, and two years of months: further apart is not a regular cadence.
MAX_WORKING_DAYS_INTERVAL = 250
MAX_MONTHS_INTERVAL = 24

LAST_WEEK = -1
WEEKS = (1, 2, 3, 4, LAST_WEEK)

# Whole phrases rather than "%(ordinal)s %(weekday)s": in Russian the ordinal agrees with the
# weekday's gender («в последний вторник», «в последнюю пятницу»), which a composed string cannot do.
_ON_NTH_WEEKDAY = {
    (1, 0): gettext_noop("on the first Monday"),
    (1, 1): gettext_noop("on the first Tuesday"),
    (1, 2): gettext_noop("on the first Wednesday"),
    (1, 3): gettext_noop("on the first Thursday"),
    (1, 4): gettext_noop("on the first Friday"),
    (1, 5): gettext_noop("on the first Saturday"),
    (1, 6): gettext_noop("on the first Sunday"),
    (2, 0): gettext_noop("on the second Monday"),
    (2, 1): gettext_noop("on the second Tuesday"),
    (2, 2): gettext_noop("on the second Wednesday"),
    (2, 3): gettext_noop("on the second Thursday"),
    (2, 4): gettext_noop("on the second Friday"),
    (2, 5): gettext_noop("on the second Saturday"),
    (2, 6): gettext_noop("on the second Sunday"),
    (3, 0): gettext_noop("on the third Monday"),
    (3, 1): gettext_noop("on the third Tuesday"),
    (3, 2): gettext_noop("on the third Wednesday"),
    (3, 3): gettext_noop("on the third Thursday"),
    (3, 4): gettext_noop("on the third Friday"),
    (3, 5): gettext_noop("on the third Saturday"),
    (3, 6): gettext_noop("on the third Sunday"),
    (4, 0): gettext_noop("on the fourth Monday"),
    (4, 1): gettext_noop("on the fourth Tuesday"),
    (4, 2): gettext_noop("on the fourth Wednesday"),
    (4, 3): gettext_noop("on the fourth Thursday"),
    (4, 4): gettext_noop("on the fourth Friday"),
    (4, 5): gettext_noop("on the fourth Saturday"),
    (4, 6): gettext_noop("on the fourth Sunday"),
    (LAST_WEEK, 0): gettext_noop("on the last Monday"),
    (LAST_WEEK, 1): gettext_noop("on the last Tuesday"),
    (LAST_WEEK, 2): gettext_noop("on the last Wednesday"),
    (LAST_WEEK, 3): gettext_noop("on the last Thursday"),
    (LAST_WEEK, 4): gettext_noop("on the last Friday"),
    (LAST_WEEK, 5): gettext_noop("on the last Saturday"),
    (LAST_WEEK, 6): gettext_noop("on the last Sunday"),
}


@dataclass(frozen=True)
class Cadence:
    """How often a series of meetings recurs; fields that do not belong to ``kind`` are ignored."""

    kind: str  # WORKING_DAYS | MONTHLY_WEEKDAY | MONTHLY_DAY
    interval: int = 1  # every N working days, or every K months (1 monthly, 3 quarterly, 6 half-yearly)
    weekday: int | None = None  # MONTHLY_WEEKDAY: 0 = Monday … 6 = Sunday
    week: int | None = None  # MONTHLY_WEEKDAY: 1..4, or -1 = the last one of the month
    day: int | None = None  # MONTHLY_DAY: 1..31, the month's last day when the month is shorter

    def validate(self) -> None:
        """Raise ``ValidationError`` keyed by field name when the rule cannot give dates."""
        errors: dict[str, ValidationError] = {}
        if self.kind not in KINDS:
            errors["kind"] = ValidationError(
                _(
                    "Choose how the meetings recur: every few working days, or a weekday or a day of the month."
                ),
                code="invalid_choice",
            )
        if not _is_integer(self.interval) or self.interval < 1:
            errors["interval"] = ValidationError(_("The interval must be at least 1."), code="min_value")
        elif self.kind == WORKING_DAYS and self.interval > MAX_WORKING_DAYS_INTERVAL:
            errors["interval"] = ValidationError(
                _("Meetings recur at most every %(limit)s working days."),
                code="max_value",
                params={"limit": MAX_WORKING_DAYS_INTERVAL},
            )
        elif self.kind in (MONTHLY_WEEKDAY, MONTHLY_DAY) and self.interval > MAX_MONTHS_INTERVAL:
            errors["interval"] = ValidationError(
                _("Meetings recur at most every %(limit)s months."),
                code="max_value",
                params={"limit": MAX_MONTHS_INTERVAL},
            )
        if self.kind == MONTHLY_WEEKDAY:
            if not _is_integer(self.weekday) or self.weekday not in range(7):
                errors["weekday"] = ValidationError(_("Choose a weekday, Monday to Sunday."), code="invalid")
            if not _is_integer(self.week) or self.week not in WEEKS:
                errors["week"] = ValidationError(
                    _("Choose the first, second, third, fourth or last such weekday of the month."),
                    code="invalid",
                )
        if self.kind == MONTHLY_DAY and (not _is_integer(self.day) or self.day not in range(1, 32)):
            errors["day"] = ValidationError(_("Choose a day of the month from 1 to 31."), code="invalid")
        if errors:
            raise ValidationError(errors)

    def describe(self) -> str:
        """The rule in words, in the active language: "every month on the last Friday"."""
        if self.kind == WORKING_DAYS:
            if self.interval == 1:
                return gettext("every working day")
            return ngettext("every %(n)s working day", "every %(n)s working days", self.interval) % {
                "n": self.interval
            }
        if self.kind == MONTHLY_WEEKDAY:
            when = gettext(_ON_NTH_WEEKDAY[self.week, self.weekday])
        elif self.day > 28:  # February, and 30-day months for 31, fall back to their last day
            when = gettext("on day %(day)s (or the last day)") % {"day": self.day}
        else:
            when = gettext("on day %(day)s") % {"day": self.day}
        if self.interval == 1:
            return gettext("every month %(when)s") % {"when": when}
        return ngettext("every %(n)s month %(when)s", "every %(n)s months %(when)s", self.interval) % {
            "n": self.interval,
            "when": when,
        }

    def date_in_month(self, year: int, month: int) -> date:
        """The nominal date this monthly rule gives in a month."""
        month_length = calendar.monthrange(year, month)[1]
        if self.kind == MONTHLY_DAY:
            return date(year, month, min(self.day, month_length))
        if self.week == LAST_WEEK:
            last = date(year, month, month_length)
            return last - timedelta(days=(last.weekday() - self.weekday) % 7)
        first = date(year, month, 1)
        return first + timedelta(days=(self.weekday - first.weekday()) % 7 + 7 * (self.week - 1))


@dataclass(frozen=True)
class Occurrence:
    nominal: date  # the date the rule gives
    actual: date  # the nominal date, or the next working day when that is a day off
    moved: bool  # actual != nominal


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# Room after the span for a date moved off a run of days off: the longest statutory run is a few
# days; a longer one (corrections) is still handled by loading the next span.
_PADDING = timedelta(days=40)
_ONE_DAY = timedelta(days=1)


class _Days:
    """Working days from one ``WorkCalendar`` for the whole span: one query, not one per date."""

    def __init__(self, start: date, end: date):
        self._calendar = WorkCalendar(start, end + _PADDING)

    def is_working_day(self, day: date) -> bool:
        if not self._calendar.covers(day):
            self._calendar = WorkCalendar(day, day + _PADDING)
        return self._calendar.is_working_day(day)

    def on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day


def occurrences(cadence: Cadence, *, start: date, until: date, end: date | None = None) -> list[Occurrence]:
    """The meetings a cadence gives whose nominal date is from ``start`` to ``until`` (or ``end``).

    ``until`` is how far ahead to generate, ``end`` when the series itself stops (both inclusive).
    Monthly rules take ``start``'s month and every ``interval``-th month after it, skipping a date
    before ``start``. Working-day rules meet on ``start`` (or the next working day when it is a day
    off) and then every ``interval`` working days after the previous actual meeting.
    """
    cadence.validate()
    last = min(until, end) if end is not None else until
    if last < start:
        return []
    days = _Days(start, last)
    if cadence.kind == WORKING_DAYS:
        nominals = _working_day_dates(cadence.interval, start, last, days)
    else:
        nominals = _monthly_dates(cadence, start, last)
    result = []
    for nominal in nominals:
        actual = days.on_or_after(nominal)
        result.append(Occurrence(nominal=nominal, actual=actual, moved=actual != nominal))
    return result


def _working_day_dates(interval: int, start: date, last: date, days: _Days) -> list[date]:
    nominals, nominal = [], start
    while nominal <= last:
        nominals.append(nominal)
        current, remaining = days.on_or_after(nominal), interval
        while remaining and current <= last:
            current += _ONE_DAY
            if days.is_working_day(current):
                remaining -= 1
        nominal = current
    return nominals


def _monthly_dates(cadence: Cadence, start: date, last: date) -> list[date]:
    nominals = []
    months = start.year * 12 + start.month - 1  # months since year 0, so stepping crosses years
    while True:
        year, month = divmod(months, 12)
        nominal = cadence.date_in_month(year, month + 1)
        if nominal > last:
            return nominals
        if nominal >= start:
            nominals.append(nominal)
        months += cadence.interval


def overlapping(occurrences: list[Occurrence]) -> list[date]:
    """Actual dates that more than one occurrence falls on, in date order (the caller refuses them)."""
    counts = Counter(occurrence.actual for occurrence in occurrences)
    return sorted(day for day, count in counts.items() if count > 1)
