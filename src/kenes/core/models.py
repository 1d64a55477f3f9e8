"""Core domain: reference data, users and roles, the work calendar and the audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

LANGUAGE_CODES = ("kk", "ru", "en")


def localized(obj, field: str, language: str | None = None) -> str:
    """Return ``obj.<field>_<lang>`` for the active language, falling back kk → ru → en."""
    language = (language or get_language() or "kk")[:2]
    order = [language] + [code for code in LANGUAGE_CODES if code != language]
    for code in order:
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value
    return ""


class TrilingualName(models.Model):
    """Reference data carries its name in all three languages (DESIGN §6)."""

    name_kk = models.CharField(_("name in Kazakh"), max_length=255)
    name_ru = models.CharField(_("name in Russian"), max_length=255)
    name_en = models.CharField(_("name in English"), max_length=255)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class SoftDeleteQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class AliveManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    def get_queryset(self):
        return super().get_queryset().alive()


class SoftDeletable(models.Model):
    """Rows are never removed: ``objects`` shows the living, ``all_objects`` everything.

    ``all_objects`` is the default manager so that uniqueness checks and the admin see retired rows
    too (a retired code cannot be silently reused).
    """

    deleted_at = models.DateTimeField(_("retired at"), null=True, blank=True, editable=False)

    objects = AliveManager()
    all_objects = models.Manager.from_queryset(SoftDeleteQuerySet)()

    class Meta:
        abstract = True
        default_manager_name = "all_objects"

    @property
    def is_retired(self) -> bool:
        return self.deleted_at is not None


class FormerName(models.Model):
    """A name an object carried before a rename (Nur-Sultan for Astana, 2019–2022)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    name_kk = models.CharField(_("name in Kazakh"), max_length=255)
    name_ru = models.CharField(_("name in Russian"), max_length=255)
    name_en = models.CharField(_("name in English"), max_length=255)
    valid_from = models.DateField(_("used from"), null=True, blank=True)
    valid_to = models.DateField(_("used until"), null=True, blank=True)

    class Meta:
        verbose_name = _("former name")
        verbose_name_plural = _("former names")
        ordering = ["valid_to", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Region(TrilingualName, SoftDeletable):
    """First-level unit: 17 oblasts and 3 cities of republican significance."""

    class Kind(models.TextChoices):
        OBLAST = "oblast", _("region (oblast)")
        CITY = "city", _("city of republican significance")

    code = models.CharField(_("KATO code"), max_length=2, unique=True)
    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=6, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    centre_kk = models.CharField(_("centre in Kazakh"), max_length=255, blank=True)
    centre_ru = models.CharField(_("centre in Russian"), max_length=255, blank=True)
    centre_en = models.CharField(_("centre in English"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        default_manager_name = "all_objects"

    @property
    def centre(self) -> str:
        return localized(self, "centre")


class District(TrilingualName, SoftDeletable):
    """A district, a city of regional significance or a district of a large city."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("district")
        CITY = "city", _("city of regional significance")
        CITY_DISTRICT = "city_district", _("city district")

    code = models.CharField(_("code"), max_length=64, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="districts", verbose_name=_("region")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["region__code", "name_kk"]
        default_manager_name = "all_objects"


class StateBody(TrilingualName, SoftDeletable):
    """A ministry, agency, committee, akimat or quasi-public company. Renames are history."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("ministry")
        AGENCY = "agency", _("agency")
        COMMITTEE = "committee", _("committee")
        AKIMAT = "akimat", _("akimat")
        QUASI_PUBLIC = "quasi_public", _("quasi-public company")

    class Level(models.TextChoices):
        CENTRAL = "central", _("central")
        REGIONAL = "regional", _("regional")
        LOCAL = "local", _("local")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="state_bodies",
        verbose_name=_("region"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="state_bodies",
        verbose_name=_("district"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent body"),
    )

    class Meta:
        verbose_name = _("state body")
        verbose_name_plural = _("state bodies")
        ordering = ["level", "name_kk"]
        default_manager_name = "all_objects"

    def clean(self):
        if self.level != self.Level.CENTRAL and self.region_id is None:
            raise ValidationError({"region": _("A regional or local body must name its region.")})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A body cannot be its own parent.")})


class Topic(TrilingualName, SoftDeletable):
    """A policy area: ecology, employment, youth, health …"""

    code = models.SlugField(_("code"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name_kk"]
        default_manager_name = "all_objects"


class VulnerableGroup(TrilingualName, SoftDeletable):
    """A socially vulnerable group: people with disabilities, large families, pensioners …"""

    code = models.SlugField(_("code"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("vulnerable group")
        verbose_name_plural = _("vulnerable groups")
        ordering = ["name_kk"]
        default_manager_name = "all_objects"


class CalendarOverride(models.Model):
    """An administrator's correction of the statutory calendar: a moved working day or an extra day off."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("day off")
        WORKING_DAY = "working_day", _("working day")

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    note = models.CharField(
        _("reason"), max_length=255, help_text=_("For example the government decree that moves the day.")
    )

    class Meta:
        verbose_name = _("calendar correction")
        verbose_name_plural = _("calendar corrections")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} · {self.get_kind_display()}"


# --- Users and roles ------------------------------------------------------------------------------


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Logs in by e-mail; interface language is remembered."""

    class Language(models.TextChoices):
        KAZAKH = "kk", "Қазақша"
        RUSSIAN = "ru", "Русский"
        ENGLISH = "en", "English"

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=255)
    preferred_language = models.CharField(
        _("interface language"), max_length=2, choices=Language.choices, default=Language.KAZAKH
    )
    notification_digest = models.BooleanField(
        _("one daily digest instead of separate mails"),
        default=False,
        help_text=_("Reminders and notices arrive together once a day."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may open the administration"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    """The roles of DESIGN §2. Council and body roles are held on one object; the others globally."""

    COUNCIL_MEMBER = "council_member", _("council member")
    COUNCIL_SECRETARY = "council_secretary", _("council secretary")
    COUNCIL_CHAIR = "council_chair", _("council chair")
    STATE_BODY_OFFICER = "state_body_officer", _("state-body officer")
    COORDINATOR = "coordinator", _("coordinator")
    EXPERT = "expert", _("expert")
    ADMINISTRATOR = "administrator", _("administrator")


COUNCIL_ROLES = (Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR)
STATE_BODY_ROLES = (Role.STATE_BODY_OFFICER,)
SCOPED_ROLES = COUNCIL_ROLES + STATE_BODY_ROLES
GLOBAL_ROLES = (Role.COORDINATOR, Role.EXPERT, Role.ADMINISTRATOR)


class RoleAssignment(models.Model):
    """One role of one user, on one council or state body where the role is scoped."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "content_type", "object_id"],
                condition=Q(content_type__isnull=False),
                name="role_assignment_unique_scoped",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(content_type__isnull=True),
                name="role_assignment_unique_global",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=[r.value for r in SCOPED_ROLES],
                        content_type__isnull=False,
                        object_id__isnull=False,
                    )
                    | Q(
                        role__in=[r.value for r in GLOBAL_ROLES],
                        content_type__isnull=True,
                        object_id__isnull=True,
                    )
                ),
                name="role_assignment_scope_matches_role",
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id", "role"])]

    def __str__(self) -> str:
        label = self.get_role_display()
        return f"{label}: {self.target}" if self.object_id else str(label)


# --- Audit log ------------------------------------------------------------------------------------


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")

    _raw_delete = delete


class LogEntry(models.Model):
    """One change to one object. Append-only and hash-chained; written only by ``log_action``."""

    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True)
    timestamp = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("who")
    )
    actor_repr = models.CharField(_("who"), max_length=255, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=255)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["content_type", "object_id", "-sequence"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")


class AuditChainHead(models.Model):
    """The last link of the audit chain; locked while an entry is appended so writers queue up."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_sequence}"


# --- Notifications and periodic jobs --------------------------------------------------------------


class Notification(models.Model):
    """Something a user must know or do: shown in their task list and usually mailed once.

    ``key`` names the event (``councils.renewal:12:2027-03-01``); one row per recipient and key,
    so an event notifies each person exactly once however often the sweep runs.
    """

    class Kind(models.TextChoices):
        TASK = "task", _("task")
        INFO = "info", _("information")

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    key = models.CharField(max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.INFO)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    emailed_at = models.DateTimeField(_("mailed"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_event")
        ]

    def __str__(self) -> str:
        return self.title


class ScheduledRun(models.Model):
    """When a periodic job is next due; claimed with one UPDATE so only one scheduler enqueues it."""

    name = models.CharField(max_length=200, unique=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name


class TaskLease(models.Model):
    """A running task's sign of life: renewed by the worker running it (``kenes.core.taskqueue``).

    A task still marked running whose lease has not been renewed for ``KENES_TASK_LEASE_SECONDS``
    lost its worker (killed, out of memory, machine gone) and is put back on the queue.
    """

    task = models.OneToOneField(
        "django_tasks_database.DBTaskResult", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    worker_id = models.CharField(max_length=200)
    renewed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("task lease")
        verbose_name_plural = _("task leases")

    def __str__(self) -> str:
        return f"{self.task_id} by {self.worker_id}"
