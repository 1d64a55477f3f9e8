"""Notify people: one row in their task list per event and one mail, in their own language."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .audit import log_action
from .models import Notification, User

logger = logging.getLogger(__name__)


def notify(
    *,
    recipients: Iterable[User],
    key: str,
    template: str,
    context: dict,
    url: str = "",
    kind: str = Notification.Kind.INFO,
    about=None,
) -> list[Notification]:
    """Tell each recipient about the event ``key`` once: a notification row and a mail.

    ``template`` names a pair ``<template>_subject.txt`` / ``<template>_body.txt`` rendered in each
    recipient's preferred language. Recipients already told about ``key`` are skipped, so calling
    this again for the same event (a re-run sweep, a second worker) sends nothing twice.
    ``about`` is the object the event concerns; the sending is written to its audit timeline.
    """
    created = []
    for recipient in {user.pk: user for user in recipients if user.is_active and user.email}.values():
        with translation.override(recipient.preferred_language):
            full_context = {
                **context,
                "recipient": recipient,
                "url": url,
                "site_url": settings.KENES_SITE_URL,
            }
            subject = " ".join(render_to_string(f"{template}_subject.txt", full_context).split())
            body = render_to_string(f"{template}_body.txt", full_context).strip()
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient, key=key, kind=kind, title=subject[:300], body=body, url=url
                )
        except IntegrityError:
            continue  # already told about this event
        created.append(notification)
    for notification in created:
        if notification.recipient.notification_digest:
            continue  # goes out with the daily digest
        # Mail only once the notification is committed, so a rolled-back change sends nothing.
        transaction.on_commit(lambda notification=notification: _mail(notification))
    if created and about is not None:
        log_action(
            about,
            "core.notification.sent",
            data={"event": key, "recipients": [n.recipient.email for n in created]},
        )
    return created


def message_id(notification: Notification) -> str:
    """One ``Message-ID`` per notification, however many times its mail is handed over."""
    domain = urlsplit(settings.KENES_SITE_URL).hostname or "kenes.local"
    return f"<notification-{notification.pk}@{domain}>"


def _mail(notification: Notification) -> bool:
    """Send the notification's mail unless it went out already; True when it was sent now.

    The row is claimed (``emailed_at`` set) in the transaction that sends the mail, so a second
    sender (the retry sweep, a task run again after its worker died) waits for the first one to
    commit and then finds it sent; a failed send rolls the claim back for the next sweep. Only a
    process killed between the mail server's acceptance and the commit can cause a second copy, and
    that copy carries the same ``Message-ID`` (``message_id``), by which mail systems and clients
    recognise and drop a duplicate. On SQLite (development) the claim holds the write lock while the
    mail goes out.
    """
    link = (
        f"{settings.KENES_SITE_URL}{notification.url}"
        if notification.url.startswith("/")
        else notification.url
    )
    body = f"{notification.body}\n\n{link}".strip()
    with transaction.atomic():
        unsent = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True)
        if not unsent.update(emailed_at=timezone.now()):
            return False
        try:
            EmailMessage(
                notification.title,
                body,
                to=[notification.recipient.email],
                headers={"Message-ID": message_id(notification)},
            ).send()
        except OSError:
            # The notification stays in the task list; the mail is retried by the next sweep.
            logger.exception("mail to %s failed", notification.recipient.email)
            transaction.set_rollback(True)
            return False
    return True


def retry_unsent_mail(*, limit: int = 200) -> int:
    """Send the mails that failed before (the server was down); returns how many went out."""
    unsent = Notification.objects.filter(emailed_at__isnull=True, recipient__notification_digest=False)
    return sum(_mail(notification) for notification in unsent.select_related("recipient")[:limit])


def open_tasks(user: User):
    return Notification.objects.filter(recipient=user, kind=Notification.Kind.TASK, done_at__isnull=True)


@transaction.atomic
def notification_mark_done(*, notification: Notification, acting_user: User) -> Notification:
    if notification.recipient_id != acting_user.pk:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    if notification.done_at is None:
        notification.done_at = timezone.now()
        notification.save(update_fields=["done_at"])
    return notification


def send_digests() -> int:
    """Mail each digest reader one message with everything not yet mailed to them."""
    sent = 0
    pending = Notification.objects.filter(
        emailed_at__isnull=True, recipient__notification_digest=True, recipient__is_active=True
    )
    for recipient in User.objects.filter(pk__in=pending.values("recipient")):
        notifications = list(pending.filter(recipient=recipient).order_by("created_at"))
        with translation.override(recipient.preferred_language):
            subject = render_to_string("core/mail/digest_subject.txt", {"count": len(notifications)})
            body = render_to_string(
                "core/mail/digest_body.txt",
                {"notifications": notifications, "site_url": settings.KENES_SITE_URL, "recipient": recipient},
            ).strip()
        # Claimed in the sending transaction, as in _mail: a digest job run twice sends it once.
        with transaction.atomic():
            unsent = Notification.objects.filter(
                pk__in=[n.pk for n in notifications], emailed_at__isnull=True
            )
            if not unsent.update(emailed_at=timezone.now()):
                continue
            try:
                send_mail(" ".join(subject.split()), body, None, [recipient.email])
            except OSError:
                logger.exception("digest to %s failed", recipient.email)
                transaction.set_rollback(True)
                continue
        sent += 1
    return sent
