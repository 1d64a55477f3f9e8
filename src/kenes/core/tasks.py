"""Background tasks of the core app."""

from datetime import timedelta

from django_tasks import task

from .notify import retry_unsent_mail
from .scheduler import periodic


@periodic(every=timedelta(minutes=15))
@task()
def retry_mail() -> int:
    """Send notification mails that failed earlier (mail server down)."""
    return retry_unsent_mail()
