"""Writes of the registry: per-council permissions and the audit trail."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kenes.core.models import LogEntry, Role
from kenes.councils import services
from kenes.councils.models import Membership
from tests.factories import CouncilFactory, MembershipFactory

pytestmark = pytest.mark.django_db

PERSON = {
    "last_name": "Сәрсенова",
    "first_name": "Әйгерім",
    "patronymic": "Қанатқызы",
    "public_profile": True,
}
SEAT = {
    "role": Membership.Role.MEMBER,
    "sector": Membership.Sector.NGO,
    "ngo_name": "ҚБ «Жасыл ел»",
    "term_start": date(2026, 1, 10),
}


@pytest.fixture
def council():
    return CouncilFactory()


@pytest.fixture
def secretary(council, user_with_role):
    return user_with_role(Role.COUNCIL_SECRETARY, council)


def test_secretary_of_one_council_cannot_change_another(secretary):
    other = CouncilFactory()
    with pytest.raises(PermissionDenied):
        services.council_update(council=other, data={"secretariat_phone": "+7 700"}, acting_user=secretary)
    with pytest.raises(PermissionDenied):
        services.membership_add(council=other, person_data=PERSON, data=SEAT, acting_user=secretary)


def test_member_cannot_change_their_council(council, user_with_role):
    member = user_with_role(Role.COUNCIL_MEMBER, council)
    with pytest.raises(PermissionDenied):
        services.council_update(council=council, data={"secretariat_phone": "+7 700"}, acting_user=member)


def test_council_change_is_audited_with_before_and_after(council, secretary):
    services.council_update(
        council=council, data={"secretariat_phone": "+7 7172 00 00 00"}, acting_user=secretary
    )
    entry = LogEntry.objects.filter(action="councils.council.changed", object_id=str(council.pk)).get()
    assert entry.actor == secretary
    assert entry.data["after"] == {"secretariat_phone": "+7 7172 00 00 00"}


def test_add_and_end_membership_are_audited(council, secretary):
    membership = services.membership_add(
        council=council, person_data=PERSON, data=SEAT, acting_user=secretary
    )
    assert membership.ngo_key == "жасыл ел"
    services.membership_end(
        membership=membership, ceased_on=date(2026, 6, 1), reason="өз өтініші", acting_user=secretary
    )
    actions = list(LogEntry.objects.filter(object_id=str(council.pk)).values_list("action", flat=True))
    assert "councils.membership.added" in actions and "councils.membership.ended" in actions


def test_ending_needs_a_reason_and_a_date_after_the_start(council, secretary):
    membership = MembershipFactory(council=council, term_start=date(2026, 1, 10))
    with pytest.raises(ValidationError):
        services.membership_end(
            membership=membership, ceased_on=date(2026, 6, 1), reason=" ", acting_user=secretary
        )
    with pytest.raises(ValidationError):
        services.membership_end(
            membership=membership, ceased_on=date(2025, 6, 1), reason="x", acting_user=secretary
        )


def test_membership_of_a_person_with_an_account_grants_and_ends_the_council_role(
    council, secretary, make_user
):
    from tests.factories import PersonFactory

    user = make_user()
    person = PersonFactory(user=user)
    membership = services.membership_add(council=council, person=person, data=SEAT, acting_user=secretary)
    user = type(user).objects.get(pk=user.pk)
    assert user.has_perm("councils.view_workspace", council)
    services.membership_end(
        membership=membership, ceased_on=date(2026, 6, 1), reason="term", acting_user=secretary
    )
    user = type(user).objects.get(pk=user.pk)
    assert not user.has_perm("councils.view_workspace", council)


def test_commission_members_must_sit_on_the_council(council, secretary):
    stranger = MembershipFactory()
    with pytest.raises(ValidationError):
        services.commission_create(
            council=council, name="Комиссия", members=[stranger], acting_user=secretary
        )
    own = MembershipFactory(council=council)
    commission = services.commission_create(
        council=council, name="Комиссия", members=[own], acting_user=secretary
    )
    services.commission_update(commission=commission, name="Жаңа атау", members=[], acting_user=secretary)
    assert LogEntry.objects.filter(action="councils.commission.changed").exists()


def test_composition_order_must_be_a_real_pdf(council, secretary):
    fake = SimpleUploadedFile("order.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.composition_order_upload(council=council, file=fake, order_date=None, acting_user=secretary)
    real = SimpleUploadedFile(
        "scan.bin",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        content_type="application/octet-stream",
    )
    services.composition_order_upload(
        council=council, file=real, order_date=date(2026, 2, 1), acting_user=secretary
    )
    council.refresh_from_db()
    assert council.composition_order.name.endswith(".pdf")
    assert LogEntry.objects.filter(action="councils.order.uploaded").exists()
