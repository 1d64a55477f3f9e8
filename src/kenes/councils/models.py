"""The council registry: councils, the people in them, their memberships and commissions."""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.core.models import District, Region, StateBody, Topic, TrilingualName
from kenes.search.normalise import normalise

# Legal defaults (Law «On Public Councils»): 15–30 members beside a ministry, 10–15 beside a
# quasi-public company. Local councils are sized by the maslikhat; 10–30 is the working default.
DEFAULT_SIZE_LIMITS = {
    "republican": (15, 30),
    "local": (10, 30),
    "quasi_public": (10, 15),
}


class Council(TrilingualName):
    class Level(models.TextChoices):
        REPUBLICAN = "republican", _("republican")
        LOCAL = "local", _("local")
        QUASI_PUBLIC = "quasi_public", _("beside a quasi-public company")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        FORMING = "forming", _("being formed")
        SUSPENDED = "suspended", _("suspended")
        DISSOLVED = "dissolved", _("dissolved")

    code = models.SlugField(_("code"), max_length=80, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    state_body = models.ForeignKey(
        StateBody, on_delete=models.PROTECT, related_name="councils", verbose_name=_("state body")
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="councils",
        verbose_name=_("region"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="councils",
        verbose_name=_("district"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    established_on = models.DateField(_("established"), null=True, blank=True)
    term_start = models.DateField(_("term of the composition starts"), null=True, blank=True)
    term_end = models.DateField(_("term of the composition ends"), null=True, blank=True)
    min_members = models.PositiveSmallIntegerField(_("minimum members"))
    max_members = models.PositiveSmallIntegerField(_("maximum members"))
    secretariat_email = models.EmailField(_("secretariat e-mail"), blank=True)
    secretariat_phone = models.CharField(_("secretariat phone"), max_length=40, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="councils", verbose_name=_("topics"))
    composition_order = models.FileField(
        _("order on the composition (PDF)"), upload_to="councils/orders/%Y/", blank=True, max_length=255
    )
    composition_order_date = models.DateField(_("date of the order"), null=True, blank=True)
    # Names in all three languages and the body's name, normalised, for the directory's text search.
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("public council")
        verbose_name_plural = _("public councils")
        ordering = ["level", "region__code", "name_kk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_members__lte=models.F("max_members")), name="council_size_limits_ordered"
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gt=models.F("term_start")),
                name="council_term_ends_after_start",
            ),
        ]

    def save(self, *args, **kwargs):
        self.search_text = self.compute_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def compute_search_text(self) -> str:
        """What the directory's free-text filter matches: names in kk/ru/en, code, the body's names."""
        body = self.state_body if self.state_body_id else None
        body_names = [body.name_kk, body.name_ru, body.name_en] if body else []
        return normalise(" ".join([self.name_kk, self.name_ru, self.name_en, self.code, *body_names]))


class MembershipQuerySet(models.QuerySet):
    def active(self, on: date | None = None):
        """Memberships in force on ``on`` (today): started, not ended by term, not ceased."""
        on = on or timezone.localdate()
        return self.filter(
            Q(term_start__lte=on),
            Q(term_end__isnull=True) | Q(term_end__gte=on),
            Q(ceased_on__isnull=True) | Q(ceased_on__gt=on),
        )


# Legal forms of organisations, written as people write them; compared in the folded search form.
LEGAL_FORMS = [
    "ОО", "ОБ", "ОФ", "АНО", "ООО", "АО", "ТОО", "ҰБ", "ҚБ", "ҚҚ", "ЖДП",
    "общественное объединение", "общественный фонд", "объединение юридических лиц",
    "қоғамдық бірлестігі", "қоғамдық бірлестік", "қоғамдық қоры", "заңды тұлғалар бірлестігі",
]  # fmt: skip
_LEGAL_FORMS = re.compile(r"\b(" + "|".join(re.escape(normalise(form)) for form in LEGAL_FORMS) + r")\b")


def ngo_key(name: str) -> str:
    """The organisation a member represents, compared without quotes, case or legal form."""
    text = normalise(name.replace("«", " ").replace("»", " ").replace('"', " "))
    return " ".join(_LEGAL_FORMS.sub(" ", text).split())


class Person(models.Model):
    """Someone who sits on a council. Private contacts are never shown publicly."""

    last_name = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("given name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("user account"),
    )
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    position = models.CharField(_("position"), max_length=255, blank=True)
    in_state_service = models.BooleanField(_("in state service"), default=False)
    public_profile = models.BooleanField(
        _("agrees to a public profile"),
        default=False,
        help_text=_("Name, organisation and position are shown publicly."),
    )
    email = models.EmailField(_("e-mail (private)"), blank=True)
    phone = models.CharField(_("phone (private)"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)


class Membership(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        DEPUTY_CHAIR = "deputy_chair", _("deputy chair")
        SECRETARY = "secretary", _("secretary")
        MEMBER = "member", _("member")

    class Sector(models.TextChoices):
        NGO = "ngo", _("non-governmental organisation")
        BUSINESS = "business", _("business")
        ACADEMIA = "academia", _("academia")
        MEDIA = "media", _("media")
        CITIZEN = "citizen", _("citizen")
        STATE = "state", _("state representative")

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("council")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    sector = models.CharField(_("sector"), max_length=12, choices=Sector.choices)
    ngo_name = models.CharField(_("organisation represented"), max_length=255, blank=True)
    ngo_key = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    ceased_on = models.DateField(_("ceased on"), null=True, blank=True)
    ceased_reason = models.CharField(_("reason membership ceased"), max_length=255, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["council", "role", "person__last_name"]
        indexes = [models.Index(fields=["council", "ceased_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="membership_term_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"

    def save(self, *args, **kwargs):
        self.ngo_key = ngo_key(self.ngo_name) if self.sector == self.Sector.NGO else ""
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "ngo_key"}
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return (
            self.term_start <= today
            and (self.term_end is None or self.term_end >= today)
            and (self.ceased_on is None or self.ceased_on > today)
        )


class Commission(models.Model):
    """A working group inside a council, for example on vulnerable groups."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="commissions", verbose_name=_("council")
    )
    name = models.CharField(_("name"), max_length=255)
    members = models.ManyToManyField(
        Membership, blank=True, related_name="commissions", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        ordering = ["council", "name"]

    def __str__(self) -> str:
        return self.name


class RenewalNotice(models.Model):
    """The renewal reminder of one composition term was sent (once per council and term end)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="renewal_notices")
    term_end = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["council", "term_end"], name="renewal_notice_once_per_term")
        ]

    def __str__(self) -> str:
        return f"{self.council} · {self.term_end}"


class ImportJob(models.Model):
    """One uploaded registry file: parsed into a preview, then applied in one transaction."""

    class Kind(models.TextChoices):
        COUNCILS = "councils", _("councils")
        MEMBERS = "members", _("members")
        ISSUES = "issues", _("topical problems")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        PARSING = "parsing", _("reading the file")
        READY = "ready", _("preview ready")
        APPLYING = "applying", _("applying")
        APPLIED = "applied", _("applied")
        FAILED = "failed", _("refused")

    kind = models.CharField(_("what is imported"), max_length=10, choices=Kind.choices)
    council = models.ForeignKey(
        Council,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="import_jobs",
        verbose_name=_("council"),
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    rows = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    @property
    def progress_percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def applicable(self) -> bool:
        """Read, nothing refused, and something to create or change."""
        summary = self.summary or {}
        return (
            self.status == self.Status.READY
            and not summary.get("reject")
            and bool(summary.get("create") or summary.get("change"))
        )

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.READY, self.Status.APPLIED, self.Status.FAILED}
