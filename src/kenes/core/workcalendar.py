"""Kazakhstan's working-day calendar, the one every legal deadline counts in.

Statutory holidays (including days off moved by the observance rule and by government decree) come
from the ``holidays`` package; administrators add corrections as ``CalendarOverride`` rows — a
Saturday made a working day by decree, or an extra day off. Overrides win over the package.
Nothing is cached across requests, so a correction entered on one server holds on all of them; a
batch job (the nightly sweep) reads the overrides once for the whole run inside ``loaded()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import CalendarOverride

# The package's English names, so the interface can show them in kk, ru and en.
HOLIDAY_NAMES = (
    gettext_noop("New Year's Day"),
    gettext_noop("Orthodox Christmas"),
    gettext_noop("International Women's Day"),
    gettext_noop("Nowruz Holiday"),
    gettext_noop("Kazakhstan's People Solidarity Holiday"),
    gettext_noop("Defender of the Fatherland Day"),
    gettext_noop("Victory Day"),
    gettext_noop("Eid al-Adha"),
    gettext_noop("Capital Day"),
    gettext_noop("Constitution Day"),
    gettext_noop("Republic Day"),
    gettext_noop("Independence Day"),
)


def holiday_label(name: str) -> str:
    """Translate a holiday name from the package, keeping its observance note."""
    if name.startswith("Day off (substituted"):
        return _("day off moved by government decree")
    observed = name.endswith(" (observed)")
    base = name.removesuffix(" (observed)").removesuffix(" (estimated)")
    label = _(base)
    return _("%(holiday)s (day off moved from a weekend)") % {"holiday": label} if observed else label


@lru_cache(maxsize=64)
def _statutory(year: int) -> dict[date, str]:
    # Package data is static for a given year, so this cache is safe to keep per process.
    return dict(holidays.country_holidays("KZ", years=year, language="en_US"))


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    reason: str


# Every override, read once by ``loaded()`` for a batch job; None: each calendar reads its own span.
_loaded: ContextVar[dict | None] = ContextVar("kenes_work_calendar_overrides", default=None)


@contextmanager
def loaded() -> Iterator[None]:
    """Within the block every ``WorkCalendar`` (and every function of this module) uses the overrides
    read once on entering it, instead of one query per calendar: for batch jobs that compute thousands
    of deadlines in one run. A correction entered meanwhile holds from the next run."""
    token = _loaded.set({row.day: row for row in CalendarOverride.objects.only("day", "kind", "note")})
    try:
        yield
    finally:
        _loaded.reset(token)


class WorkCalendar:
    """Working days over a span of dates; load once, ask many times (one query per span)."""

    def __init__(self, start: date, end: date):
        self.start, self.end = start, end
        shared = _loaded.get()
        if shared is not None:
            self._overrides = shared
            return
        self._overrides = {
            row.day: row
            for row in CalendarOverride.objects.filter(day__gte=start, day__lte=end).only(
                "day", "kind", "note"
            )
        }

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def info(self, day: date) -> DayInfo:
        override = self._overrides.get(day)
        if override is not None:
            working = override.kind == CalendarOverride.Kind.WORKING_DAY
            return DayInfo(day, working, override.note)
        holiday = _statutory(day.year).get(day)
        if holiday:
            return DayInfo(day, False, holiday_label(holiday))
        if day.weekday() >= 5:
            return DayInfo(day, False, _("weekend"))
        return DayInfo(day, True, "")

    def is_working_day(self, day: date) -> bool:
        """``info(day).working`` without building the translated reason (deadline arithmetic asks
        this for every day of a span)."""
        override = self._overrides.get(day)
        if override is not None:
            return override.kind == CalendarOverride.Kind.WORKING_DAY
        return day.weekday() < 5 and day not in _statutory(day.year)


def _calendar_for(start: date, days: int) -> WorkCalendar:
    # Generous span: two calendar weeks per working week plus room for the long spring holidays.
    return WorkCalendar(start, start + timedelta(days=days * 2 + 30))


def is_working_day(day: date) -> bool:
    return WorkCalendar(day, day).is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted).

    A response due "within 10 working days" of a letter sent on ``start`` is due on
    ``add_working_days(start, 10)``. ``days`` = 0 gives ``start`` itself, or the next working day
    when ``start`` is a day off.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    calendar = _calendar_for(start, days)
    current, remaining = start, days
    if remaining == 0:
        while not calendar.is_working_day(current):
            current += timedelta(days=1)
        return current
    while remaining:
        current += timedelta(days=1)
        if not calendar.covers(current):
            calendar = _calendar_for(current, remaining)
        if calendar.is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    calendar = WorkCalendar(start, end)
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if calendar.is_working_day(start + timedelta(days=offset))
    )


def days_off_between(start: date, end: date) -> list[DayInfo]:
    """The days off after ``start`` up to ``end`` with their reasons: how a deadline was computed."""
    calendar = WorkCalendar(start, end)
    days = (calendar.info(start + timedelta(days=offset)) for offset in range(1, (end - start).days + 1))
    return [info for info in days if not info.working]


def subtract_working_days(end: date, days: int) -> date:
    """The latest date that still leaves ``days`` working days after it up to ``end``.

    An agenda due "at least 3 working days before" a Friday meeting must be out by the Tuesday:
    ``subtract_working_days(friday, 3)`` → Tuesday (Wednesday, Thursday and Friday count).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    calendar = WorkCalendar(end - timedelta(days=days * 2 + 30), end)
    current, remaining = end, days
    while remaining:
        if not calendar.covers(current):
            calendar = WorkCalendar(current - timedelta(days=remaining * 2 + 30), current)
        if calendar.is_working_day(current):
            remaining -= 1
        current -= timedelta(days=1)
    return current
