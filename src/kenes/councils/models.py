"""The council registry: councils, the people in them, their memberships and commissions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kenes.core.models import District, Region, StateBody, TrilingualName

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
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    ceased_on = models.DateField(_("ceased on"), null=True, blank=True)
    ceased_reason = models.CharField(_("reason membership ceased"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["council", "role", "person__last_name"]
        indexes = [models.Index(fields=["council", "ceased_on"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"


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
