"""Background tasks of meetings: keeping occurrences generated ahead, and the day-before reminders."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from kenes.core.scheduler import periodic

from . import selectors, services
from .models import MeetingSeries


@periodic(every=timedelta(hours=12))
@task()
def generate_occurrences() -> int:
    """Keep every series' meetings generated up to the horizon (a year and a month by default)."""
    return sum(services.series_generate(series=series) for series in MeetingSeries.objects.all())


@periodic(every=timedelta(hours=1))
@task()
def day_before_reminders() -> int:
    """Remind the invited members of tomorrow's meetings (once per meeting and day)."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    return sum(
        services.remind_day_before(meeting=meeting) for meeting in selectors.meetings_starting_on(tomorrow)
    )
