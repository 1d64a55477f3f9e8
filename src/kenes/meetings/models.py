"""Meetings: regular cadences, meetings and their agendas, attendance, decisions and minutes."""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.core.models import StateBody, localized
from kenes.councils.models import Council, Membership


class OptionalTrilingualTitle(models.Model):
    """A title in Kazakh, with Russian and English where the author gives them."""

    title_kk = models.CharField(_("title in Kazakh"), max_length=300)
    title_ru = models.CharField(_("title in Russian"), max_length=300, blank=True)
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def title(self) -> str:
        return localized(self, "title")


class MeetingKind(models.TextChoices):
    SITTING = "sitting", _("council sitting")
    COORDINATION = "coordination", _("coordination meeting")
    HEARING = "hearing", _("public hearing")
    REPORT_HEARING = "report_hearing", _("report hearing of a state body")


class MeetingSeries(OptionalTrilingualTitle):
    """A regular cadence of meetings; the worker keeps its occurrences generated ahead."""

    class CadenceKind(models.TextChoices):
        WORKING_DAYS = "working_days", _("every N working days")
        MONTHLY_WEEKDAY = "monthly_weekday", _("a weekday of the month")
        MONTHLY_DAY = "monthly_day", _("a day of the month")

    kind = models.CharField(_("kind of meeting"), max_length=16, choices=MeetingKind.choices)
    cadence_kind = models.CharField(_("cadence"), max_length=16, choices=CadenceKind.choices)
    interval = models.PositiveSmallIntegerField(
        _("interval"), default=1, help_text=_("N working days, or every K months.")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)
    week = models.SmallIntegerField(_("week of the month"), null=True, blank=True)
    day = models.PositiveSmallIntegerField(_("day of the month"), null=True, blank=True)
    starts_on = models.DateField(_("first date"))
    ends_on = models.DateField(_("last date"), null=True, blank=True)
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration, minutes"), default=120)
    convener_body = models.ForeignKey(
        StateBody,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("convened by"),
    )
    council = models.ForeignKey(
        Council,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meeting_series",
        verbose_name=_("council whose sittings these are"),
    )
    councils = models.ManyToManyField(
        Council, blank=True, related_name="invited_series", verbose_name=_("councils invited")
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    is_public = models.BooleanField(_("open to the public"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        ordering = ["title_kk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="series_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def cadence(self):
        from .cadence import Cadence

        return Cadence(
            kind=self.cadence_kind, interval=self.interval, weekday=self.weekday, week=self.week, day=self.day
        )


class Meeting(OptionalTrilingualTitle):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        AGENDA_PUBLISHED = "agenda_published", _("agenda published")
        HELD = "held", _("held")
        MINUTES_APPROVED = "minutes_approved", _("minutes approved")
        POSTPONED = "postponed", _("postponed")
        CANCELLED = "cancelled", _("cancelled")

    series = models.ForeignKey(
        MeetingSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("series"),
    )
    series_date = models.DateField(
        null=True, blank=True, help_text="the date the series' rule gave this occurrence"
    )
    detached = models.BooleanField(
        default=False, help_text="moved or changed on its own: series edits leave it alone"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    council = models.ForeignKey(
        Council,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("council"),
    )
    councils = models.ManyToManyField(
        Council, blank=True, related_name="invited_meetings", verbose_name=_("councils invited")
    )
    convener_body = models.ForeignKey(
        StateBody,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("convened by"),
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration, minutes"), default=120)
    moved_from = models.DateTimeField(_("was planned for"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    is_public = models.BooleanField(_("open to the public"), default=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    quorum_numerator = models.PositiveSmallIntegerField(_("quorum: numerator"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("quorum: denominator"), default=3)
    agenda_published_at = models.DateTimeField(_("agenda published"), null=True, blank=True)
    ical_sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["series", "series_date"], name="meeting_once_per_series_date"),
            models.CheckConstraint(
                condition=Q(quorum_numerator__gt=0) & Q(quorum_numerator__lte=models.F("quorum_denominator")),
                name="meeting_quorum_is_a_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {timezone.localtime(self.starts_at):%d.%m.%Y}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def uid(self) -> str:
        return f"meeting-{self.pk}@kenes.kz"

    def quorum_required(self, invited: int) -> int:
        return math.ceil(invited * self.quorum_numerator / self.quorum_denominator)


class AgendaItem(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("question"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration, minutes"), default=15)
    presenter = models.CharField(_("presenter"), max_length=300, blank=True)
    document = models.FileField(_("document"), upload_to="meetings/agenda/%Y/", blank=True, max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    decline_reason = models.CharField(_("reason declined"), max_length=500, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the item is about: an issue, a recommendation, a programme, a draft act (later apps plug in).
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    class Presence(models.TextChoices):
        UNKNOWN = "unknown", _("not marked")
        IN_PERSON = "in_person", _("present in person")
        ONLINE = "online", _("present online")
        ABSENT = "absent", _("absent")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="attendance")
    presence = models.CharField(
        _("presence"), max_length=10, choices=Presence.choices, default=Presence.UNKNOWN
    )
    absence_reason = models.CharField(_("reason of absence"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "membership"], name="attendance_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.membership.person} · {self.get_presence_display()}"

    @property
    def present(self) -> bool:
        return self.presence in {self.Presence.IN_PERSON, self.Presence.ONLINE}


class Decision(models.Model):
    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("adopted")
        REJECTED = "rejected", _("not adopted")
        NOTED = "noted", _("taken into consideration")

    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="decision")
    text = models.TextField(_("decision"))
    votes_for = models.PositiveSmallIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("against"), null=True, blank=True)
    votes_abstained = models.PositiveSmallIntegerField(_("abstained"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    basis_for_recommendations = models.BooleanField(
        _("basis for recommendations"),
        default=False,
        help_text=_("Recommendations to state bodies follow from it."),
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text[:80]


class Minutes(models.Model):
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    number = models.CharField(_("number"), max_length=20, blank=True)
    body = models.TextField(_("text of the minutes"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    pdf = models.FileField(upload_to="meetings/minutes/%Y/", blank=True, max_length=255)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return f"{self.meeting} · {self.number}"
