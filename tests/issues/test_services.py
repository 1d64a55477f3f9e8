"""Filing, moderation, links, supports and national problems: permissions, audit and bad input."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from kenes.core.models import LogEntry, Role
from kenes.issues import services
from kenes.issues.models import Attachment, Issue, IssueLink, Problem, Support
from tests.factories import IssueFactory, LocalCouncilFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; Kazakh is the default language of the interface."""
    with translation.override("en"):
        yield


TEXT = {"title": "Ауылда ауыз су жоқ", "description": "Ауылға ауыз су құбыры тартылмаған.", "language": "kk"}


@pytest.fixture
def council():
    return LocalCouncilFactory()


@pytest.fixture
def member(council, user_with_role):
    return user_with_role(Role.COUNCIL_MEMBER, council)


@pytest.fixture
def secretary(council, user_with_role):
    return user_with_role(
        Role.COUNCIL_SECRETARY, council, email="secretary@example.kz", preferred_language="ru"
    )


def entries(obj, action):
    return LogEntry.objects.filter(
        object_id=str(obj.pk), action=action, content_type__model=obj._meta.model_name
    )


def test_member_files_an_issue_audited_with_search_document(council, member):
    issue = services.issue_file(council=council, data=TEXT, acting_user=member)
    assert issue.status == Issue.Status.NEW
    assert issue.source == Issue.Source.MEMBER
    assert issue.region == council.region
    assert "ауыз" in issue.search_document
    assert entries(issue, "issues.issue.filed").count() == 1


def test_member_of_another_council_cannot_file(council, user_with_role):
    stranger = user_with_role(Role.COUNCIL_MEMBER, LocalCouncilFactory())
    with pytest.raises(PermissionDenied):
        services.issue_file(council=council, data=TEXT, acting_user=stranger)
    assert not Issue.objects.exists()


@pytest.mark.parametrize(
    ("description", "message"),
    [
        ("", "cannot be empty"),
        ("   \n ", "cannot be empty"),
        ("😀😀😀 🙏", "in words"),
        ("Су\x00жоқ", "not text"),
        ("a" * 10_001, "too long"),
    ],
)
def test_bad_text_is_refused_with_a_clear_message_and_nothing_stored(council, member, description, message):
    with pytest.raises(ValidationError) as refused:
        services.issue_file(council=council, data={**TEXT, "description": description}, acting_user=member)
    assert message in " ".join(refused.value.message_dict["description"])
    assert not Issue.objects.exists()
    assert not LogEntry.objects.filter(action="issues.issue.filed").exists()


def test_script_injection_is_stored_as_typed(council, member):
    issue = services.issue_file(
        council=council, data={**TEXT, "title": "<script>alert(1)</script> су"}, acting_user=member
    )
    assert issue.title == "<script>alert(1)</script> су"


def test_mixed_scripts_are_accepted(council, member):
    issue = services.issue_file(
        council=council,
        data={**TEXT, "description": "Auylda su joq, вода нет, ауыз су жоқ."},
        acting_user=member,
    )
    assert issue.pk


def test_district_must_be_in_the_region(council, member, reference):
    from kenes.core.models import District, Region

    other_region = Region.objects.exclude(pk=council.region_id).first()
    district = District.objects.filter(region=other_region).first()
    with pytest.raises(ValidationError) as refused:
        services.issue_file(
            council=council, data={**TEXT, "region": council.region, "district": district}, acting_user=member
        )
    assert "district" in refused.value.message_dict


def test_marking_the_same_problem_links_and_joins_its_national_problem(council, member):
    problem = Problem.objects.create(title="Ауыз су", status=Problem.Status.CONFIRMED)
    elsewhere = IssueFactory(problem=problem)
    related = IssueFactory()
    issue = services.issue_file(
        council=council, data=TEXT, acting_user=member, same_as=[elsewhere], related_to=[related]
    )
    assert issue.problem == problem
    assert IssueLink.objects.get(source=issue, target=elsewhere).kind == IssueLink.Kind.SAME
    assert IssueLink.objects.get(source=issue, target=related).kind == IssueLink.Kind.RELATED
    # Both ends of every link record it on their timelines.
    assert entries(elsewhere, "issues.issue.linked").count() == 1
    assert entries(issue, "issues.issue.linked").count() == 2


def test_staff_link_and_unlink_are_audited_on_both_issues(council, secretary):
    mine, theirs = IssueFactory(council=council), IssueFactory()
    link = services.issue_link(source=mine, target=theirs, kind=IssueLink.Kind.SAME, acting_user=secretary)
    services.issue_unlink(link=link, acting_user=secretary)
    assert not IssueLink.objects.exists()
    for issue in (mine, theirs):
        assert entries(issue, "issues.issue.linked").count() == 1
        unlinked = entries(issue, "issues.issue.unlinked").get()
        assert unlinked.actor == secretary


def test_member_cannot_link_and_staff_of_another_council_cannot_unlink(
    council, member, secretary, user_with_role
):
    mine, theirs = IssueFactory(council=council), IssueFactory()
    with pytest.raises(PermissionDenied):
        services.issue_link(source=mine, target=theirs, kind="same", acting_user=member)
    link = services.issue_link(source=mine, target=theirs, kind="same", acting_user=secretary)
    outsider = user_with_role(Role.COUNCIL_SECRETARY, LocalCouncilFactory())
    with pytest.raises(PermissionDenied):
        services.issue_unlink(link=link, acting_user=outsider)
    assert IssueLink.objects.count() == 1


def test_linking_twice_changes_the_kind_instead_of_duplicating(council, secretary):
    mine, theirs = IssueFactory(council=council), IssueFactory()
    services.issue_link(source=mine, target=theirs, kind="related", acting_user=secretary)
    services.issue_link(source=mine, target=theirs, kind="same", acting_user=secretary)
    assert IssueLink.objects.get().kind == "same"


def test_workflow_needs_reasons_and_a_duplicate_target(council, secretary):
    issue = IssueFactory(council=council)
    with pytest.raises(ValidationError):
        services.issue_transition(issue=issue, name="reject", acting_user=secretary)
    with pytest.raises(ValidationError):
        services.issue_transition(issue=issue, name="close_duplicate", acting_user=secretary)
    with pytest.raises(ValidationError):
        services.issue_transition(issue=issue, name="accept", acting_user=secretary)  # not pending
    original = IssueFactory()
    issue = services.issue_transition(
        issue=issue, name="close_duplicate", duplicate_of=original, acting_user=secretary
    )
    assert issue.status == Issue.Status.DUPLICATE
    assert issue.duplicate_of == original
    assert Issue.objects.filter(pk=original.pk).exists()  # never a destructive merge
    assert IssueLink.objects.filter(source=issue, target=original, kind="same").exists()
    issue = services.issue_transition(issue=issue, name="reopen", acting_user=secretary)
    assert issue.status == Issue.Status.UNDER_REVIEW and issue.duplicate_of is None


def test_member_cannot_change_status(council, member):
    issue = IssueFactory(council=council)
    with pytest.raises(PermissionDenied):
        services.issue_transition(issue=issue, name="review", acting_user=member)


def submit(council, **overrides):
    arguments = {
        "council": council,
        "data": TEXT,
        "name": "Айжан",
        "email": "citizen@example.kz",
        "address": "10.0.0.1",
        "language": "ru",
    }
    return services.issue_submit_public(**(arguments | overrides))


def test_citizen_submission_waits_for_moderation_and_citizen_hears_by_mail(
    council, secretary, smtp_server, django_capture_on_commit_callbacks
):
    with override_settings(**smtp_server.settings()):
        with django_capture_on_commit_callbacks(execute=True):
            issue = submit(council)
        assert issue.status == Issue.Status.PENDING and not issue.is_public
        assert not secretary.has_perm("issues.view_issue", IssueFactory(status="pending"))
        assert secretary.has_perm("issues.view_issue", issue)
        with django_capture_on_commit_callbacks(execute=True):
            services.issue_transition(issue=issue, name="accept", acting_user=secretary)
        with django_capture_on_commit_callbacks(execute=True):
            services.issue_transition(issue=issue, name="review", acting_user=secretary)
    to_citizen = [m for m in smtp_server.messages if m["To"] == "citizen@example.kz"]
    assert len(to_citizen) == 3  # received, published, under review
    assert "/issues/track/" in to_citizen[0].get_content()
    assert "Ваше обращение" in to_citizen[0]["Subject"] or "обращение" in to_citizen[0].get_content()
    to_secretary = [m for m in smtp_server.messages if m["To"] == "secretary@example.kz"]
    assert len(to_secretary) == 1
    assert entries(issue, "issues.issue.accept").get().actor == secretary


def test_removed_submission_tells_the_citizen_nothing_and_stays_hidden(
    council, secretary, smtp_server, django_capture_on_commit_callbacks
):
    with override_settings(**smtp_server.settings()):
        issue = submit(council)
        with django_capture_on_commit_callbacks(execute=True):
            issue = services.issue_transition(
                issue=issue, name="remove", reason="реклама", acting_user=secretary
            )
    assert issue.status == Issue.Status.SPAM
    assert smtp_server.messages == []


def test_submissions_are_rate_limited_per_address_and_per_email(council):
    with override_settings(KENES_PUBLIC_SUBMISSIONS_PER_HOUR=2):
        submit(council)
        submit(council, email="other@example.kz")
        with pytest.raises(ValidationError) as refused:
            submit(council, email="third@example.kz")  # a third from the same address
        assert "Too many" in refused.value.messages[0]
        submit(council, address="10.0.0.9")  # the first e-mail's second submission
        with pytest.raises(ValidationError):
            submit(council, address="10.0.0.10")  # its third, from yet another address
    assert Issue.objects.count() == 3


def test_supporting_is_idempotent_and_audited(council, member):
    issue = IssueFactory()
    services.issue_support(issue=issue, acting_user=member)
    services.issue_support(issue=issue, acting_user=member)
    assert Support.objects.filter(issue=issue).count() == 1
    services.issue_unsupport(issue=issue, acting_user=member)
    assert not Support.objects.exists()
    assert entries(issue, "issues.issue.supported").count() == 1
    assert entries(issue, "issues.issue.unsupported").count() == 1


def test_attachments_are_checked_by_content(council, member, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    issue = services.issue_file(council=council, data=TEXT, acting_user=member)
    pdf = SimpleUploadedFile("act.pdf", b"%PDF-1.4\n%...\n", content_type="application/pdf")
    attachment = services.attachment_add(issue=issue, file=pdf, acting_user=member)
    assert attachment.content_type == "application/pdf"
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00binary", content_type="image/jpeg")
    with pytest.raises(ValidationError) as refused:
        services.attachment_add(issue=issue, file=fake, acting_user=member)
    assert "not accepted" in refused.value.message_dict["file"][0]
    with override_settings(KENES_UPLOAD_MAX_BYTES=10), pytest.raises(ValidationError):
        services.attachment_add(issue=issue, file=pdf, acting_user=member)
    assert Attachment.objects.count() == 1


def test_coordinator_confirms_splits_and_merges_national_problems(user_with_role):
    coordinator = user_with_role(Role.COORDINATOR)
    issues = [IssueFactory() for _ in range(4)]
    proposal = services.problem_propose(title="Су", issues=issues)
    problem = services.problem_confirm(
        problem=proposal, title="Ауыз су", summary="Қорытынды", acting_user=coordinator
    )
    assert problem.status == Problem.Status.CONFIRMED and problem.confirmed_by == coordinator
    new = services.problem_split(problem=problem, issues=issues[:2], title="Бөлек", acting_user=coordinator)
    assert set(new.issues.all()) == set(issues[:2]) and problem.issues.count() == 2
    with pytest.raises(ValidationError):
        services.problem_split(problem=problem, issues=issues[2:], title="Бәрі", acting_user=coordinator)
    services.problem_merge(problem=new, into=problem, acting_user=coordinator)
    new.refresh_from_db()
    assert new.status == Problem.Status.MERGED and new.merged_into == problem
    assert problem.issues.count() == 4
    actions = set(LogEntry.objects.filter(content_type__model="problem").values_list("action", flat=True))
    assert {
        "issues.problem.proposed",
        "issues.problem.confirmed",
        "issues.problem.split",
        "issues.problem.merged",
    } <= actions


def test_only_the_coordination_centre_manages_national_problems(secretary):
    proposal = services.problem_propose(title="Су", issues=[IssueFactory()])
    with pytest.raises(PermissionDenied):
        services.problem_confirm(problem=proposal, title="Су", summary="", acting_user=secretary)
