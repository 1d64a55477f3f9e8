"""Recommendations of councils to state bodies and the bodies' accountability for them (DESIGN §3–4).

A ``Recommendation`` is adopted by a council (or, centrally, by a coordination meeting) and goes to
one or more state bodies; each addressee gets its own ``Dispatch`` — the row that carries that body's
response clock. A redirect ("not competent") answers one dispatch and opens a new one for the body
the answer names. Everything that happens to a dispatch is a row of its own (clarification, extension,
hearing, response, commitment, slip, claim, verification), so the timeline is data.

Time states (due soon, overdue, long overdue) are never stored as truth: ``workflows.clock`` computes
them from the dates and the work calendar. ``Dispatch.due_on`` and ``long_overdue_on`` are a cache of
that computation for indexes and aggregates; services refresh it after every event that moves it,
the nightly sweep re-checks it, and a test compares it with the recount.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.core.models import StateBody
from kenes.councils.models import Council


class Recommendation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ADOPTED = "adopted", _("adopted and signed")
        SENT = "sent", _("sent")
        WITHDRAWN = "withdrawn", _("withdrawn")

    council = models.ForeignKey(
        Council,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("council"),
        help_text=_("Empty for a central recommendation of a coordination meeting."),
    )
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    decision = models.ForeignKey(
        "meetings.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("meeting decision adopting it"),
    )
    adopted_on = models.DateField(_("adopted"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    sent_on = models.DateField(_("sent"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic lock: every change of the draft passes the version it read; a stale one is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["council", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_central(self) -> bool:
        return self.council_id is None


class Basis(models.Model):
    """What a recommendation rests on: a meeting decision, a monitoring report, an issue or a problem."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("meeting decision")
        MONITORING = "monitoring", _("monitoring report")
        ISSUE = "issue", _("topical problem")
        PROBLEM = "problem", _("national problem")

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="bases")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    decision = models.ForeignKey(
        "meetings.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issue = models.ForeignKey(
        "issues.Issue", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    problem = models.ForeignKey(
        "issues.Problem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Monitoring reports live in the programmes app (a later issue): referred to by reference and link.
    reference = models.CharField(_("reference"), max_length=300, blank=True)
    url = models.URLField(_("link"), blank=True)

    class Meta:
        verbose_name = _("basis")
        verbose_name_plural = _("bases")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="decision", decision__isnull=False, issue__isnull=True, problem__isnull=True)
                    | Q(kind="issue", issue__isnull=False, decision__isnull=True, problem__isnull=True)
                    | Q(kind="problem", problem__isnull=False, decision__isnull=True, issue__isnull=True)
                    | (
                        Q(kind="monitoring", decision__isnull=True, issue__isnull=True, problem__isnull=True)
                        & ~Q(reference="")
                    )
                ),
                name="basis_names_one_source",
            )
        ]

    def __str__(self) -> str:
        target = self.decision or self.issue or self.problem or self.reference
        return f"{self.get_kind_display()}: {target}"


class Answer(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    PARTIALLY = "partially", _("partially accepted")
    REJECTED = "rejected", _("rejected")
    NOT_COMPETENT = "not_competent", _("not competent")


class RejectionReason(models.TextChoices):
    NO_LEGAL_BASIS = "no_legal_basis", _("contradicts the law or has no legal basis")
    NO_FUNDING = "no_funding", _("no budget funding")
    ALREADY_DONE = "already_done", _("already done or under way")
    INEFFECTIVE = "ineffective", _("would not solve the problem")
    OTHER = "other", _("other reason")


class Dispatch(models.Model):
    """One addressee of a recommendation, and that body's response clock."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="dispatches")
    body = models.ForeignKey(
        StateBody, on_delete=models.PROTECT, related_name="dispatches", verbose_name=_("state body")
    )
    redirected_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redirected_to",
        verbose_name=_("redirected from"),
    )
    sent_on = models.DateField(_("sent"), null=True, blank=True)
    # The rule in force when the clock started (KENES_RESPONSE_* for the body's kind or level).
    due_working_days = models.PositiveSmallIntegerField(_("working days to answer"), null=True, blank=True)
    long_overdue_working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    # Cache of workflows.clock(); see the module docstring.
    due_on = models.DateField(_("due"), null=True, blank=True)
    long_overdue_on = models.DateField(null=True, blank=True)
    paused_since = models.DateField(_("paused since"), null=True, blank=True)
    # The day the sweep next has a step of the escalation ladder to send (None: answered or paused).
    next_reminder_on = models.DateField(null=True, blank=True)
    # The answer in force (the latest response), copied here for lists and aggregates.
    answer = models.CharField(_("answer"), max_length=16, choices=Answer.choices, blank=True)
    answered_on = models.DateField(_("answered"), null=True, blank=True)
    # Working days the body took to answer, pauses excluded (cache of the clock, set on answering).
    working_days_taken = models.PositiveSmallIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("addressee")
        verbose_name_plural = _("addressees")
        ordering = ["recommendation", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "body"], name="dispatch_once_per_body"),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(sent_on__isnull=False),
                name="dispatch_answered_after_sent",
            ),
        ]
        indexes = [
            # The backlog: open clocks by due date; the sweep: what has a reminder due; a body's clocks.
            models.Index(fields=["answered_on", "due_on"], name="dispatch_open_due"),
            models.Index(fields=["next_reminder_on"], name="dispatch_next_reminder"),
            models.Index(fields=["body", "due_on"], name="dispatch_body_due"),
            # The public pages: the scoreboard groups D by body (index-only on PostgreSQL); the list
            # of recommendations awaiting an answer reads the open clocks by sending date.
            models.Index(fields=["due_on", "body", "answered_on"], name="dispatch_due_body_answered"),
            models.Index(
                fields=["sent_on", "id"],
                condition=Q(answered_on__isnull=True, sent_on__isnull=False),
                name="dispatch_awaiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} → {self.body}"


class DispatchTally(models.Model):
    """Counts of the response metrics per body and due date (or due month), kept by database triggers
    on ``Dispatch``; never written by the application (``tally.py``)."""

    class Grain(models.TextChoices):
        DAY = "d", _("day")
        MONTH = "m", _("month")

    grain = models.CharField(max_length=1, choices=Grain.choices)
    due_on = models.DateField()  # the due date, or the first day of the due month
    # No database constraint: SQLite's flush empties tables one by one, and a dispatch deleted after
    # the tally has been emptied writes a row for its body (``tally.install`` recounts after it).
    body = models.ForeignKey(StateBody, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    total = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    partially = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    not_competent = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["grain", "due_on", "body"], name="dispatchtally_key"),
        ]

    def __str__(self) -> str:
        return f"{self.body_id} {self.grain} {self.due_on}: {self.total}"


class Clarification(models.Model):
    """The body asks the council to clarify: the clock pauses from ``requested_on`` to ``answered_on``."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="clarifications")
    question = models.TextField(_("question"))
    requested_on = models.DateField(_("asked"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(_("clarification"), blank=True)
    answered_on = models.DateField(_("clarified"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("clarification request")
        verbose_name_plural = _("clarification requests")
        ordering = ["requested_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=models.F("requested_on")),
                name="clarification_answered_after_asked",
            ),
            models.UniqueConstraint(
                fields=["dispatch"], condition=Q(answered_on__isnull=True), name="clarification_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispatch} · {self.requested_on:%d.%m.%Y}"


class Extension(models.Model):
    """More working days to answer: a reason, and who approved it."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="extensions")
    working_days = models.PositiveSmallIntegerField(_("extra working days"))
    reason = models.TextField(_("reason"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    granted_on = models.DateField(_("granted"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["granted_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(working_days__gt=0), name="extension_adds_days"),
        ]

    def __str__(self) -> str:
        return f"+{self.working_days} · {self.reason[:60]}"


class Hearing(models.Model):
    """The hearing a body must offer the council before rejecting (Law «On Public Control», Art. 13)."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="hearings")
    notified_on = models.DateField(_("council notified"))
    held_on = models.DateField(_("hearing date"))
    place = models.CharField(_("place or link"), max_length=300)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField(_("what the hearing found"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        ordering = ["held_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(held_on__gt=models.F("notified_on")), name="hearing_after_notice"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispatch} · {self.held_on:%d.%m.%Y}"


class Response(models.Model):
    """A body's answer to one dispatch. Never edited after the council verified; a correction is a new
    row that ``supersedes`` the one before, and both stay on the timeline."""

    class Channel(models.TextChoices):
        WEB = "web", _("web form")
        API = "api", _("the body's system (API)")

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="responses")
    answer = models.CharField(_("answer"), max_length=16, choices=Answer.choices)
    reason_code = models.CharField(
        _("reason for rejection"), max_length=16, choices=RejectionReason.choices, blank=True
    )
    text = models.TextField(_("reasons"))
    redirect_to = models.ForeignKey(
        StateBody,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("competent body"),
    )
    hearing = models.ForeignKey(
        Hearing, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hearing")
    )
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    responded_on = models.DateField(_("answered"))
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=4, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(answer="rejected") | ~Q(reason_code=""), name="response_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(answer="not_competent") | Q(redirect_to__isnull=False),
                name="response_not_competent_names_body",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispatch} · {self.get_answer_display()}"


class Commitment(models.Model):
    """What the body promises to do, by when. Moving the date is a recorded ``Slip``."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        CLAIMED = "claimed", _("claimed as implemented")
        VERIFIED = "verified", _("implementation confirmed")
        DISPUTED = "disputed", _("implementation disputed")
        NOT_IMPLEMENTED = "not_implemented", _("not implemented")

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="commitments")
    response = models.ForeignKey(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="commitments"
    )
    action = models.TextField(_("action"))
    responsible_unit = models.CharField(_("responsible unit"), max_length=300)
    promised_on = models.DateField(_("promised date"))
    original_promised_on = models.DateField(_("first promised date"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    claimed_on = models.DateField(_("claimed"), null=True, blank=True)
    verified_on = models.DateField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["promised_on", "pk"]

    def __str__(self) -> str:
        return self.action[:80]


class Slip(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="slips")
    from_date = models.DateField(_("was promised for"))
    to_date = models.DateField(_("now promised for"))
    reason = models.TextField(_("reason"))
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("slip of a promised date")
        verbose_name_plural = _("slips of promised dates")
        ordering = ["moved_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_date:%d.%m.%Y} → {self.to_date:%d.%m.%Y}"


class Claim(models.Model):
    """The body says a commitment is implemented, with evidence."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="claims")
    text = models.TextField(_("what was done"))
    claimed_on = models.DateField(_("claimed"))
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("implementation claim")
        verbose_name_plural = _("implementation claims")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Verification(models.Model):
    """The council's view of a claim: confirmed or disputed, with its own evidence."""

    class Verdict(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        DISPUTED = "disputed", _("disputed")

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="verifications")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="verifications")
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    text = models.TextField(_("the council's findings"))
    verified_on = models.DateField(_("verified"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()}: {self.text[:60]}"


class Evidence(models.Model):
    """A document, legal act, link or photo behind a claim or a verification (files content-checked)."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("document")
        LEGAL_ACT = "legal_act", _("legal act")
        LINK = "link", _("link")
        PHOTO = "photo", _("photo")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence")
    verification = models.ForeignKey(
        Verification, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300, blank=True)
    file = models.FileField(_("file"), upload_to="recommendations/evidence/%Y/", blank=True, max_length=255)
    url = models.URLField(_("link"), blank=True, max_length=500)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(claim__isnull=False, verification__isnull=True)
                | Q(claim__isnull=True, verification__isnull=False),
                name="evidence_belongs_to_one_view",
            ),
            models.CheckConstraint(condition=~Q(file="") | ~Q(url=""), name="evidence_has_file_or_link"),
        ]

    def __str__(self) -> str:
        return self.title or self.url or self.file.name


class BodyTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class BodyToken(models.Model):
    """A state body's own system posts responses with this token; only its hash is stored."""

    body = models.ForeignKey(
        StateBody, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("state body")
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("Which system uses it."))
    prefix = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answers in the name of"),
        help_text=_("An officer of the body; responses posted with the token are theirs."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = BodyTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token of a state body")
        verbose_name_plural = _("API tokens of state bodies")

    def __str__(self) -> str:
        return f"{self.body} · {self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    @staticmethod
    def generate() -> str:
        return "kbt_" + secrets.token_urlsafe(32)
