"""Topical problems: issues raised by councils, members and citizens, their links, supporters and
the national problems (clusters) that group the same problem raised in many regions (DESIGN §3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.core.models import District, Region, Topic, VulnerableGroup
from kenes.councils.models import Council


class Language(models.TextChoices):
    KAZAKH = "kk", _("Kazakh")
    RUSSIAN = "ru", _("Russian")
    ENGLISH = "en", _("English")


class Problem(models.Model):
    """A national problem: one problem raised by councils of many regions.

    The worker proposes problems from similar issues of different councils; a coordinator confirms,
    splits or merges them and writes the central summary. Only confirmed problems are public.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        CONFIRMED = "confirmed", _("confirmed")
        DISMISSED = "dismissed", _("dismissed")
        MERGED = "merged", _("merged into another")

    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("central summary"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged into"),
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="problems", verbose_name=_("topics"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("national problem")
        verbose_name_plural = _("national problems")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class Issue(models.Model):
    """One topical problem as a council, a member, a citizen or a monitoring report raised it."""

    class Source(models.TextChoices):
        COUNCIL = "council", _("council")
        MEMBER = "member", _("council member")
        CITIZEN = "citizen", _("citizen")
        MONITORING = "monitoring", _("monitoring report")

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting moderation")
        NEW = "new", _("new")
        UNDER_REVIEW = "under_review", _("under review")
        IN_WORK = "in_work", _("in work")
        RAISED = "raised", _("raised centrally")
        RESOLVED = "resolved", _("resolved")
        DUPLICATE = "duplicate", _("closed as duplicate")
        REJECTED = "rejected", _("rejected")
        SPAM = "spam", _("removed by moderation")

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"))
    language = models.CharField(_("original language"), max_length=2, choices=Language.choices)
    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="issues", verbose_name=_("council")
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues",
        verbose_name=_("region"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues",
        verbose_name=_("district"),
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="issues", verbose_name=_("topics"))
    groups = models.ManyToManyField(
        VulnerableGroup, blank=True, related_name="issues", verbose_name=_("vulnerable groups affected")
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    status_reason = models.TextField(_("reason"), blank=True)
    problem = models.ForeignKey(
        Problem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issues",
        verbose_name=_("national problem"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issues",
        verbose_name=_("author"),
    )
    # A citizen's submission: the name is shown only to the council, the address never.
    submitter_name = models.CharField(_("your name"), max_length=200, blank=True)
    submitter_email = models.EmailField(_("your e-mail"), blank=True)
    submitter_language = models.CharField(max_length=8, blank=True)
    submitter_fingerprint = models.CharField(max_length=32, blank=True, db_index=True)
    # The folded and stemmed text the full-text engines index (see kenes.search.fulltext).
    search_document = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(_("filed"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("topical problem")
        verbose_name_plural = _("topical problems")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["council", "status"]),
            models.Index(fields=["region", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def text(self) -> str:
        """What the similarity engine compares: the title and the description."""
        return f"{self.title}. {self.description}".strip()

    @property
    def is_public(self) -> bool:
        return self.status not in PRIVATE_STATUSES


PRIVATE_STATUSES = frozenset({Issue.Status.PENDING, Issue.Status.SPAM})
OPEN_STATUSES = frozenset(
    {Issue.Status.NEW, Issue.Status.UNDER_REVIEW, Issue.Status.IN_WORK, Issue.Status.RAISED}
)


class IssueLink(models.Model):
    """Two issues about the same problem, or related ones. Links never merge or delete anything."""

    class Kind(models.TextChoices):
        SAME = "same", _("the same problem")
        RELATED = "related", _("related")

    source = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("link between problems")
        verbose_name_plural = _("links between problems")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="issue_link_unique_pair"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="issue_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"№{self.source_id} → №{self.target_id} ({self.get_kind_display()})"


class Support(models.Model):
    """ "Same here": a member, a council or a citizen supports an issue raised elsewhere."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("council")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "user"], condition=Q(user__isnull=False), name="support_once_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"№{self.issue_id}"


class Attachment(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="issues/%Y/%m/", max_length=255)
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
