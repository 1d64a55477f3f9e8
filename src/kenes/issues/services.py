"""Writes of topical problems. Each checks the acting user's permission on the issue (or council),
writes the audit log in the same transaction, and queues the issue's vector for the worker."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kenes.core.audit import field_changes, log_action, register_actions
from kenes.core.models import Role, User
from kenes.core.notify import notify
from kenes.core.rules import require
from kenes.core.uploads import check_upload
from kenes.councils.models import Council
from kenes.councils.selectors import holders_of
from kenes.search.fulltext import document

from .models import Attachment, Issue, IssueLink, Problem, Support
from .text import check_text
from .workflows import TRANSITIONS

register_actions(
    {
        "issues.issue.filed": _("problem filed"),
        "issues.issue.submitted": _("problem submitted by a citizen"),
        "issues.issue.changed": _("problem edited"),
        "issues.issue.accept": _("submission published"),
        "issues.issue.remove": _("submission removed by moderation"),
        "issues.issue.review": _("review started"),
        "issues.issue.take": _("taken into work"),
        "issues.issue.raise": _("raised centrally"),
        "issues.issue.resolve": _("marked as resolved"),
        "issues.issue.reject": _("rejected"),
        "issues.issue.close_duplicate": _("closed as a duplicate"),
        "issues.issue.reopen": _("reopened"),
        "issues.issue.supported": _("supported"),
        "issues.issue.unsupported": _("support withdrawn"),
        "issues.issue.linked": _("linked to another problem"),
        "issues.issue.unlinked": _("link removed"),
        "issues.issue.attached": _("file attached"),
        "issues.problem.proposed": _("national problem proposed"),
        "issues.problem.confirmed": _("national problem confirmed"),
        "issues.problem.changed": _("national problem edited"),
        "issues.problem.dismissed": _("proposal dismissed"),
        "issues.problem.split": _("national problem split"),
        "issues.problem.merged": _("national problem merged"),
        "issues.problem.issue_added": _("problem added to a national problem"),
        "issues.problem.issue_removed": _("problem removed from a national problem"),
        "issues.problem.on_agenda": _("put on a meeting's agenda"),
    }
)

logger = logging.getLogger(__name__)
TRACK_SALT = "kenes.issues.track"
ISSUE_FIELDS = ["title", "description", "language", "region", "district", "source"]


def _snapshot(issue: Issue) -> dict:
    return {
        "title": issue.title,
        "description": issue.description,
        "language": issue.language,
        "region": issue.region_id,
        "district": issue.district_id,
        "source": issue.source,
        "status": issue.status,
    }


def index_later(pks: list[int]) -> None:
    """Queue these issues' vectors once the transaction commits, a thousand to a task; a failure
    never fails the save."""
    from .tasks import embed_issues

    def enqueue() -> None:
        for start in range(0, len(pks), 1_000):
            try:
                embed_issues.enqueue(pks[start : start + 1_000])
            except Exception:  # the periodic ``embed_missing`` job catches up on whatever was not queued
                logger.exception("Could not queue the vectors of issues %s…", pks[start])

    transaction.on_commit(enqueue)


def _apply(issue: Issue, data: dict) -> None:
    for key in ISSUE_FIELDS:
        if key in data:
            setattr(issue, key, data[key])
    issue.title = check_text(issue.title, field="title", limit=Issue._meta.get_field("title").max_length)
    issue.description = check_text(
        issue.description, field="description", limit=settings.KENES_ISSUE_MAX_CHARS
    )
    if issue.district_id and issue.region_id and issue.district.region_id != issue.region_id:
        raise ValidationError({"district": _("The district is not in the chosen region.")})
    if issue.district_id and not issue.region_id:
        issue.region_id = issue.district.region_id
    if not issue.region_id:
        issue.region_id = issue.council.region_id
    issue.search_document = document(issue.title, issue.description)


def _set_labels(issue: Issue, data: dict) -> None:
    if "topics" in data:
        issue.topics.set(data["topics"])
    if "groups" in data:
        issue.groups.set(data["groups"])


@transaction.atomic
def issue_file(
    *,
    council: Council,
    data: dict,
    acting_user: User | None,
    same_as: list[Issue] = (),
    related_to: list[Issue] = (),
    files: list[UploadedFile] = (),
) -> Issue:
    """A council member (or the coordination centre) files a topical problem for ``council``.

    Issues marked as the same problem are linked (never merged); when one of them already belongs to
    a national problem, the new issue joins it, so the problem counts one more council and region.
    """
    require(acting_user, "issues.file_issue", council)
    issue = Issue(council=council, author=acting_user, status=Issue.Status.NEW)
    data = {"source": Issue.Source.MEMBER, **data}
    _apply(issue, data)
    for file in files:
        check_upload(file, field="files")
    issue.full_clean(exclude=["search_document"])
    issue.problem = next((other.problem for other in same_as if other.problem_id), None)
    issue.save()
    _set_labels(issue, data)
    log_action(issue, "issues.issue.filed", actor=acting_user, data={"after": _snapshot(issue)})
    for other in same_as:
        _link(issue, other, IssueLink.Kind.SAME, acting_user)
    for other in related_to:
        _link(issue, other, IssueLink.Kind.RELATED, acting_user)
    for file in files:
        _attach(issue, file, acting_user, field="files")
    if issue.problem_id:
        log_action(
            issue.problem,
            "issues.problem.issue_added",
            actor=acting_user,
            data={"after": {"issue": issue.pk}},
        )
    index_later([issue.pk])
    return issue


def submitter_fingerprint(address: str) -> str:
    """A salted hash of the submitter's network address: enough to rate-limit, useless to identify."""
    return hashlib.sha256(f"{settings.SECRET_KEY}|{address}".encode()).hexdigest()[:32]


@transaction.atomic
def issue_submit_public(
    *,
    council: Council,
    data: dict,
    name: str,
    email: str,
    address: str,
    language: str,
    same_as: list[Issue] = (),
    related_to: list[Issue] = (),
) -> Issue:
    """A citizen submits a problem to a council: it waits in the secretary's moderation queue.

    At most ``KENES_PUBLIC_SUBMISSIONS_PER_HOUR`` submissions per network address and per e-mail
    address are taken in an hour; the counting is in the database, so it holds across processes.
    """
    if council.status != Council.Status.ACTIVE:
        raise ValidationError(_("This council does not take submissions now."))
    fingerprint = submitter_fingerprint(address)
    since = timezone.now() - timedelta(hours=1)
    recent = Issue.objects.filter(source=Issue.Source.CITIZEN, created_at__gte=since).filter(
        Q(submitter_fingerprint=fingerprint) | Q(submitter_email__iexact=email)
    )
    if recent.count() >= settings.KENES_PUBLIC_SUBMISSIONS_PER_HOUR:
        raise ValidationError(_("Too many submissions in a short time. Please try again in an hour."))
    issue = Issue(
        council=council,
        status=Issue.Status.PENDING,
        submitter_name=name.strip(),
        submitter_email=email.strip(),
        submitter_fingerprint=fingerprint,
        submitter_language=language,
    )
    _apply(issue, {**data, "source": Issue.Source.CITIZEN})
    issue.full_clean(exclude=["search_document"])
    issue.save()
    _set_labels(issue, data)
    log_action(issue, "issues.issue.submitted", actor=None, data={"after": _snapshot(issue)})
    for other in same_as:
        _link(issue, other, IssueLink.Kind.SAME, None)
    for other in related_to:
        _link(issue, other, IssueLink.Kind.RELATED, None)
    notify(
        recipients=council_staff(council),
        key=f"issues.submitted.{issue.pk}",
        template="issues/mail/submitted",
        context={"issue": issue, "council": council},
        url=reverse("issues:moderation", args=[council.code]),
        about=issue,
    )
    _mail_submitter(issue, "received")
    return issue


def council_staff(council: Council):
    """Users holding the secretary's or chair's role on ``council``."""
    return holders_of(council, Role.COUNCIL_SECRETARY) | holders_of(council, Role.COUNCIL_CHAIR)


def tracking_token(issue: Issue) -> str:
    return signing.dumps(issue.pk, salt=TRACK_SALT)


def issue_for_token(token: str) -> Issue | None:
    try:
        pk = signing.loads(token, salt=TRACK_SALT)
    except signing.BadSignature:
        return None
    return Issue.objects.filter(pk=pk).select_related("council").first()


def _mail_submitter(issue: Issue, event: str) -> None:
    """Tell a citizen what happened to their submission, in the language they wrote in."""
    if not issue.submitter_email:
        return
    url = settings.KENES_SITE_URL.rstrip("/") + reverse("issues:track", args=[tracking_token(issue)])
    with translation.override(issue.submitter_language or settings.LANGUAGE_CODE):
        context = {"issue": issue, "event": event, "url": url, "status": issue.get_status_display()}
        subject = " ".join(render_to_string("issues/mail/submitter_subject.txt", context).split())
        body = render_to_string("issues/mail/submitter_body.txt", context).strip()
    recipient = issue.submitter_email
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=True)
    )


@transaction.atomic
def issue_change(*, issue: Issue, data: dict, acting_user: User | None) -> Issue:
    """The council's staff correct an issue's text or labels."""
    require(acting_user, "issues.manage_issue", issue)
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    before = _snapshot(issue)
    before_labels = _labels(issue)
    _apply(issue, data)
    issue.full_clean(exclude=["search_document"])
    issue.save()
    _set_labels(issue, data)
    changes = field_changes({**before, **before_labels}, {**_snapshot(issue), **_labels(issue)})
    if changes["after"]:
        log_action(issue, "issues.issue.changed", actor=acting_user, data=changes)
        index_later([issue.pk])
    return issue


def _labels(issue: Issue) -> dict:
    return {
        "topics": sorted(issue.topics.values_list("code", flat=True)),
        "groups": sorted(issue.groups.values_list("code", flat=True)),
    }


@transaction.atomic
def issue_transition(
    *, issue: Issue, name: str, acting_user: User | None, reason: str = "", duplicate_of: Issue | None = None
) -> Issue:
    """Move an issue along its workflow (see ``workflows``)."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise ValidationError(_("Unknown action."))
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    require(acting_user, transition.permission, issue)
    if not transition.allowed(issue):
        raise ValidationError(
            _("This cannot be done while the problem is “%(status)s”.")
            % {"status": issue.get_status_display()}
        )
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    if transition.needs_duplicate:
        if duplicate_of is None:
            raise ValidationError({"duplicate_of": _("Choose the problem this one duplicates.")})
        if duplicate_of.pk == issue.pk:
            raise ValidationError({"duplicate_of": _("A problem cannot duplicate itself.")})
    before = issue.status
    issue.status = transition.target
    issue.status_reason = reason
    if transition.needs_duplicate:
        issue.duplicate_of = duplicate_of
        _link(issue, duplicate_of, IssueLink.Kind.SAME, acting_user)
    elif name == "reopen":
        issue.duplicate_of = None
    issue.save(update_fields=["status", "status_reason", "duplicate_of", "updated_at"])
    log_action(
        issue,
        f"issues.issue.{name}",
        actor=acting_user,
        data={
            "before": {"status": before},
            "after": {"status": issue.status, "reason": reason}
            | ({"duplicate_of": duplicate_of.pk} if duplicate_of else {}),
        },
    )
    if name in ("accept", "remove"):
        index_later([issue.pk])
    if transition.tells_submitter and issue.source == Issue.Source.CITIZEN:
        _mail_submitter(issue, name)
    return issue


@transaction.atomic
def issue_support(*, issue: Issue, acting_user: User, council: Council | None = None) -> Support:
    """ "Same here": the user (for their council, when given) supports an issue raised elsewhere."""
    require(acting_user, "issues.support_issue", issue)
    if not issue.is_public:
        raise ValidationError(_("This problem is not published."))
    existing = Support.objects.filter(issue=issue, user=acting_user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            support = Support.objects.create(issue=issue, user=acting_user, council=council)
    except IntegrityError:  # a second request of the same user won the race
        return Support.objects.get(issue=issue, user=acting_user)
    log_action(
        issue,
        "issues.issue.supported",
        actor=acting_user,
        data={"after": {"council": getattr(council, "code", None)}},
    )
    return support


@transaction.atomic
def issue_unsupport(*, issue: Issue, acting_user: User) -> None:
    deleted, _rows = Support.objects.filter(issue=issue, user=acting_user).delete()
    if deleted:
        log_action(issue, "issues.issue.unsupported", actor=acting_user)


def _link(source: Issue, target: Issue, kind: str, acting_user: User | None) -> IssueLink | None:
    if source.pk == target.pk:
        raise ValidationError(_("A problem cannot be linked to itself."))
    existing = IssueLink.objects.filter(
        Q(source=source, target=target) | Q(source=target, target=source)
    ).first()
    if existing is not None:
        if existing.kind == kind:
            return existing
        before = existing.kind
        existing.kind = kind
        existing.save(update_fields=["kind"])
        for issue in (source, target):
            log_action(
                issue,
                "issues.issue.linked",
                actor=acting_user,
                data={
                    "before": {"kind": before},
                    "after": {"kind": kind, "other": _other(issue, source, target)},
                },
            )
        return existing
    link = IssueLink.objects.create(source=source, target=target, kind=kind, created_by=acting_user)
    for issue in (source, target):
        log_action(
            issue,
            "issues.issue.linked",
            actor=acting_user,
            data={"after": {"kind": kind, "other": _other(issue, source, target)}},
        )
    return link


def _other(issue: Issue, source: Issue, target: Issue) -> int:
    return target.pk if issue.pk == source.pk else source.pk


@transaction.atomic
def issue_link(*, source: Issue, target: Issue, kind: str, acting_user: User | None) -> IssueLink:
    """Staff link two issues as the same problem or as related; both timelines record it."""
    require(acting_user, "issues.link_issues", source)
    if kind not in IssueLink.Kind.values:
        raise ValidationError({"kind": _("Choose how the problems are linked.")})
    if not target.is_public and not (
        acting_user is None or acting_user.has_perm("issues.view_issue", target)
    ):
        raise ValidationError({"target": _("No such problem.")})
    return _link(source, target, kind, acting_user)


@transaction.atomic
def issue_unlink(*, link: IssueLink, acting_user: User | None) -> None:
    """Remove a link; staff of either issue's council (or the coordination centre) may."""
    if acting_user is not None and not (
        acting_user.has_perm("issues.link_issues", link.source)
        or acting_user.has_perm("issues.link_issues", link.target)
    ):
        raise PermissionDenied(_("You do not have permission to do this."))
    for issue, other in ((link.source, link.target), (link.target, link.source)):
        log_action(
            issue,
            "issues.issue.unlinked",
            actor=acting_user,
            data={"before": {"kind": link.kind, "other": other.pk}},
        )
    link.delete()


def _attach(issue: Issue, file: UploadedFile, acting_user: User | None, *, field: str = "file") -> Attachment:
    kind = check_upload(file, field=field)
    attachment = Attachment(
        issue=issue,
        name=(file.name or "file")[-255:],
        content_type=kind.content_type,
        size=file.size or 0,
        uploaded_by=acting_user,
    )
    attachment.file.save(f"{issue.pk}.{kind.extension}", file, save=False)
    attachment.save()
    log_action(issue, "issues.issue.attached", actor=acting_user, data={"after": {"file": attachment.name}})
    return attachment


@transaction.atomic
def attachment_add(*, issue: Issue, file: UploadedFile, acting_user: User | None) -> Attachment:
    """The author or the council's staff attach a document or a photo (checked by its content)."""
    if acting_user is not None and not (
        acting_user.has_perm("issues.manage_issue", issue)
        or (issue.author_id and issue.author_id == acting_user.pk)
    ):
        raise PermissionDenied(_("You do not have permission to do this."))
    return _attach(issue, file, acting_user)


# --- National problems -------------------------------------------------------------------------


def _problem_snapshot(problem: Problem) -> dict:
    return {"title": problem.title, "summary": problem.summary, "status": problem.status}


@transaction.atomic
def problem_propose(*, title: str, issues: list[Issue]) -> Problem:
    """The worker proposes a national problem from similar issues of several councils."""
    problem = Problem.objects.create(title=title[:300], status=Problem.Status.PROPOSED)
    Issue.objects.filter(pk__in=[issue.pk for issue in issues], problem__isnull=True).update(problem=problem)
    log_action(problem, "issues.problem.proposed", data={"after": {"issues": sorted(i.pk for i in issues)}})
    return problem


@transaction.atomic
def problem_confirm(*, problem: Problem, title: str, summary: str, acting_user: User | None) -> Problem:
    """A coordinator confirms a proposal (or edits a confirmed problem) and writes the summary."""
    require(acting_user, "issues.manage_problem", problem)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if problem.status in (Problem.Status.DISMISSED, Problem.Status.MERGED):
        raise ValidationError(_("A dismissed or merged proposal cannot be confirmed."))
    title = check_text(title, field="title", limit=300)
    before = _problem_snapshot(problem)
    first = problem.status == Problem.Status.PROPOSED
    problem.title = title
    problem.summary = (summary or "").strip()
    if first:
        problem.status = Problem.Status.CONFIRMED
        problem.confirmed_by = acting_user
        problem.confirmed_at = timezone.now()
    problem.save()
    log_action(
        problem,
        "issues.problem.confirmed" if first else "issues.problem.changed",
        actor=acting_user,
        data=field_changes(before, _problem_snapshot(problem)),
    )
    return problem


@transaction.atomic
def problem_dismiss(*, problem: Problem, acting_user: User | None) -> Problem:
    """A coordinator dismisses a proposal; its issues stay out of later proposals."""
    require(acting_user, "issues.manage_problem", problem)
    if problem.status != Problem.Status.PROPOSED:
        raise ValidationError(_("Only a proposal can be dismissed."))
    problem.status = Problem.Status.DISMISSED
    problem.save(update_fields=["status", "updated_at"])
    log_action(problem, "issues.problem.dismissed", actor=acting_user)
    return problem


@transaction.atomic
def problem_split(*, problem: Problem, issues: list[Issue], title: str, acting_user: User | None) -> Problem:
    """Move ``issues`` out of ``problem`` into a new problem of the same status."""
    require(acting_user, "issues.manage_problem", problem)
    moving = list(problem.issues.filter(pk__in=[issue.pk for issue in issues]))
    if not moving:
        raise ValidationError({"issues": _("Choose the problems to move.")})
    if len(moving) == problem.issues.count():
        raise ValidationError({"issues": _("Leave at least one problem in the original.")})
    title = check_text(title, field="title", limit=300)
    new = Problem.objects.create(
        title=title,
        status=problem.status,
        confirmed_by=acting_user if problem.status == Problem.Status.CONFIRMED else None,
        confirmed_at=timezone.now() if problem.status == Problem.Status.CONFIRMED else None,
    )
    Issue.objects.filter(pk__in=[issue.pk for issue in moving]).update(problem=new)
    moved = sorted(issue.pk for issue in moving)
    log_action(
        problem, "issues.problem.split", actor=acting_user, data={"after": {"moved": moved, "to": new.pk}}
    )
    log_action(
        new, "issues.problem.split", actor=acting_user, data={"after": {"moved": moved, "from": problem.pk}}
    )
    return new


@transaction.atomic
def problem_merge(*, problem: Problem, into: Problem, acting_user: User | None) -> Problem:
    """Merge ``problem`` into ``into``: its issues move, it stays as a pointer (never deleted)."""
    require(acting_user, "issues.manage_problem", problem)
    if problem.pk == into.pk:
        raise ValidationError({"into": _("A national problem cannot be merged into itself.")})
    if into.status in (Problem.Status.DISMISSED, Problem.Status.MERGED):
        raise ValidationError({"into": _("Choose a proposed or confirmed national problem.")})
    moved = sorted(problem.issues.values_list("pk", flat=True))
    problem.issues.update(problem=into)
    problem.status = Problem.Status.MERGED
    problem.merged_into = into
    problem.save(update_fields=["status", "merged_into", "updated_at"])
    log_action(
        problem, "issues.problem.merged", actor=acting_user, data={"after": {"into": into.pk, "moved": moved}}
    )
    log_action(
        into, "issues.problem.merged", actor=acting_user, data={"after": {"from": problem.pk, "moved": moved}}
    )
    return into


@transaction.atomic
def problem_add_issue(*, problem: Problem, issue: Issue, acting_user: User | None) -> Issue:
    require(acting_user, "issues.manage_problem", problem)
    if not issue.is_public:
        raise ValidationError({"issue": _("This problem is not published.")})
    before = issue.problem_id
    issue.problem = problem
    issue.save(update_fields=["problem", "updated_at"])
    log_action(
        problem,
        "issues.problem.issue_added",
        actor=acting_user,
        data={"before": {"problem": before}, "after": {"issue": issue.pk}},
    )
    return issue


@transaction.atomic
def problem_remove_issue(*, problem: Problem, issue: Issue, acting_user: User | None) -> Issue:
    require(acting_user, "issues.manage_problem", problem)
    if issue.problem_id != problem.pk:
        raise ValidationError({"issue": _("This problem is not part of the national problem.")})
    issue.problem = None
    issue.save(update_fields=["problem", "updated_at"])
    log_action(
        problem, "issues.problem.issue_removed", actor=acting_user, data={"before": {"issue": issue.pk}}
    )
    return issue


@transaction.atomic
def problem_put_on_agenda(*, problem: Problem, meeting, acting_user: User | None):
    """Put a confirmed national problem on a coordination meeting's agenda."""
    from kenes.meetings.services import agenda_item_add

    require(acting_user, "issues.manage_problem", problem)
    if problem.status != Problem.Status.CONFIRMED:
        raise ValidationError(_("Only a confirmed national problem can go on an agenda."))
    item = agenda_item_add(
        meeting=meeting,
        data={"title": problem.title[:500], "description": problem.summary},
        acting_user=acting_user,
        subject=problem,
    )
    log_action(
        problem, "issues.problem.on_agenda", actor=acting_user, data={"after": {"meeting": meeting.pk}}
    )
    return item
