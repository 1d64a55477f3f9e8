"""docs/roles.md is the contract for permissions: every cell of its matrix is checked here."""

from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

from kenes.core.models import Role, StateBody
from tests.factories import CouncilFactory

MATRIX = Path(__file__).resolve().parents[2] / "docs" / "roles.md"
COLUMNS = {
    "public": None,
    "council member": Role.COUNCIL_MEMBER,
    "council secretary": Role.COUNCIL_SECRETARY,
    "council chair": Role.COUNCIL_CHAIR,
    "state-body officer": Role.STATE_BODY_OFFICER,
    "coordinator": Role.COORDINATOR,
    "expert": Role.EXPERT,
    "administrator": Role.ADMINISTRATOR,
}


def read_matrix() -> list[tuple[str, str, str]]:
    lines = [
        line.strip() for line in MATRIX.read_text(encoding="utf-8").splitlines() if line.startswith("| ")
    ]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[0] == "permission" and header[1:] == list(COLUMNS), "roles.md columns changed"
    cells = []
    for line in lines[1:]:
        row = [cell.strip() for cell in line.strip("|").split("|")]
        permission = row[0].strip("`")
        for column, value in zip(header[1:], row[1:], strict=True):
            assert value in {"yes", "own", "—"}, f"{permission}/{column}: {value!r}"
            cells.append((permission, column, value))
    return cells


CELLS = read_matrix()


def sitting_of(council):
    from datetime import UTC, datetime

    from kenes.meetings.models import Meeting, MeetingKind

    meeting = Meeting.objects.create(
        kind=MeetingKind.SITTING,
        council=council,
        title_kk="Отырыс",
        starts_at=datetime(2026, 12, 10, 5, tzinfo=UTC),
    )
    meeting.councils.set([council])
    return meeting


def issue_of(council):
    from kenes.issues.models import Issue

    return Issue.objects.create(
        council=council, title="Мәселе", description="Сипаттама", language="kk", source="member"
    )


def dispatch_of(council, body):
    """A sent recommendation of ``council`` addressed to ``body``: the object of recommendations rows."""
    from kenes.recommendations.models import Dispatch, Recommendation

    recommendation = Recommendation.objects.create(
        council=council, title="Ұсыным", text="Мәтін", status=Recommendation.Status.SENT
    )
    return Dispatch.objects.create(recommendation=recommendation, body=body)


def test_matrix_names_every_permission_the_code_declares():
    import rules.permissions

    declared = {
        name
        for name in rules.permissions.permissions
        if name.split(".")[0] in {"core", "councils", "meetings", "issues", "recommendations"}
    }
    assert declared == {permission for permission, _c, _v in CELLS}


@pytest.mark.django_db
@pytest.mark.parametrize(("permission", "column", "expected"), CELLS, ids=[f"{p}-{c}" for p, c, _v in CELLS])
def test_permission_matrix_cell(permission, column, expected, user_with_role):
    own_council, other_council = CouncilFactory(), CouncilFactory()
    own_body, other_body = StateBody.objects.get(code="min-health"), StateBody.objects.get(code="min-energy")
    role = COLUMNS[column]
    if role is None:
        user = AnonymousUser()
    elif role in (Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR):
        user = user_with_role(role, own_council)
    elif role == Role.STATE_BODY_OFFICER:
        user = user_with_role(role, own_body)
    else:
        user = user_with_role(role)

    if permission.startswith("councils."):
        own, other = own_council, other_council
    elif permission in {"meetings.manage_series", "recommendations.manage_body_tokens"}:
        own = other = None
    elif permission.startswith("meetings."):
        own, other = sitting_of(own_council), sitting_of(other_council)
    elif permission == "issues.file_issue":
        own, other = own_council, other_council
    elif permission.startswith("issues.") and "problem" not in permission:
        own, other = issue_of(own_council), issue_of(other_council)
    elif permission.startswith("recommendations."):
        own, other = dispatch_of(own_council, own_body), dispatch_of(other_council, other_body)
    elif permission == "core.act_for_state_body":
        own, other = own_body, other_body
    else:
        own = other = None

    assert user.has_perm(permission, own) is (expected in {"yes", "own"})
    assert user.has_perm(permission, other) is (expected == "yes")
