"""Background tasks of the core app."""

from datetime import timedelta

from django_tasks import task

from .notify import retry_unsent_mail, send_digests
from .scheduler import periodic


@periodic(every=timedelta(minutes=15))
@task()
def retry_mail() -> int:
    """Send notification mails that failed earlier (mail server down)."""
    return retry_unsent_mail()


@periodic(every=timedelta(days=1))
@task()
def daily_digest() -> int:
    """One mail a day to the people who asked for a digest."""
    return send_digests()
