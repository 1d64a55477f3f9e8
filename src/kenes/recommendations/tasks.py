"""Background tasks of recommendations: the daily sweep of response clocks (reminders, escalation)."""

from datetime import timedelta

from django_tasks import task

from kenes.core.scheduler import periodic

from . import services


@periodic(every=timedelta(days=1))
@task()
def sweep_clocks() -> int:
    """Re-check open clocks and send the reminders and escalations due today, each once per event."""
    return services.sweep()
