"""The secretary's workspace and the import pages through HTTP: permissions, bad input, no 500s."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kenes.core.models import LogEntry, Role
from kenes.core.tabular import write_xlsx
from kenes.councils.models import Commission, ImportJob, Membership
from tests.factories import CouncilFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return CouncilFactory()


@pytest.fixture
def secretary_client(client, council, user_with_role):
    client.force_login(user_with_role(Role.COUNCIL_SECRETARY, council, is_staff=False))
    return client


def test_workspace_is_closed_to_the_public_and_other_secretaries(client, council, user_with_role):
    url = f"/councils/{council.code}/manage/"
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(user_with_role(Role.COUNCIL_SECRETARY, CouncilFactory()))
    assert client.get(url).status_code == 403
    assert client.post(f"/councils/{council.code}/manage/members/add/", {}).status_code == 403


def test_council_page_links_to_the_workspace_only_for_its_staff(client, council, secretary_client):
    assert "/manage/" in secretary_client.get(f"/councils/{council.code}/").text


def test_saving_details_keeps_input_on_error_and_audits_on_success(secretary_client, council):
    url = f"/councils/{council.code}/manage/"
    data = {
        "council-name_kk": council.name_kk,
        "council-name_ru": council.name_ru,
        "council-name_en": council.name_en,
        "council-status": "active",
        "council-term_start": "2026-01-10",
        "council-term_end": "2025-01-10",
        "council-secretariat_email": "not an email",
        "council-secretariat_phone": "+7 7172 55 55 55",
    }
    response = secretary_client.post(url, data)
    assert response.status_code == 200
    assert 'value="not an email"' in response.text and 'value="+7 7172 55 55 55"' in response.text
    assert "field-errors" in response.text
    data.update({"council-term_end": "2029-01-10", "council-secretariat_email": "kenes@example.kz"})
    assert secretary_client.post(url, data).status_code == 302
    council.refresh_from_db()
    assert council.secretariat_email == "kenes@example.kz"
    assert LogEntry.objects.filter(action="councils.council.changed", object_id=str(council.pk)).exists()


def test_adding_a_member_through_the_form(secretary_client, council):
    url = f"/councils/{council.code}/manage/members/add/"
    data = {
        "person-last_name": "Нұрланова",
        "person-first_name": "Әсем",
        "person-public_profile": "on",
        "membership-role": "member",
        "membership-sector": "ngo",
        "membership-ngo_name": "",
        "membership-term_start": "2026-02-01",
    }
    response = secretary_client.post(url, data)
    assert response.status_code == 200 and 'value="Нұрланова"' in response.text  # NGO name missing
    data["membership-ngo_name"] = "ҚБ «Үміт»"
    assert secretary_client.post(url, data).status_code == 302
    assert Membership.objects.filter(council=council, person__last_name="Нұрланова").exists()


def test_ending_a_membership_through_the_form(secretary_client, council):
    membership = MembershipFactory(council=council)
    url = f"/councils/{council.code}/manage/members/{membership.pk}/end/"
    response = secretary_client.post(url, {"end-ceased_on": "2026-06-01", "end-reason": ""})
    assert response.status_code == 400
    assert (
        secretary_client.post(url, {"end-ceased_on": "2026-06-01", "end-reason": "өз өтініші"}).status_code
        == 302
    )
    membership.refresh_from_db()
    assert membership.ceased_reason == "өз өтініші"


def test_membership_of_another_council_is_not_found(secretary_client, council):
    stranger = MembershipFactory()
    assert secretary_client.get(f"/councils/{council.code}/manage/members/{stranger.pk}/").status_code == 404


def test_commission_pages(secretary_client, council):
    member = MembershipFactory(council=council)
    response = secretary_client.post(
        f"/councils/{council.code}/manage/commissions/add/", {"name": "Экология", "members": [member.pk]}
    )
    assert response.status_code == 302
    commission = Commission.objects.get(council=council)
    assert list(commission.members.all()) == [member]
    assert (
        secretary_client.post(
            f"/councils/{council.code}/manage/commissions/{commission.pk}/delete/"
        ).status_code
        == 302
    )
    assert not Commission.objects.exists()


def test_uploading_a_non_pdf_order_is_refused_with_a_message(secretary_client, council):
    fake = SimpleUploadedFile("order.pdf", b"<html>not pdf</html>")
    response = secretary_client.post(f"/councils/{council.code}/manage/order/", {"file": fake})
    assert response.status_code == 400 and "field-errors" in response.text


def test_import_pages_preview_and_apply(secretary_client, council, django_capture_on_commit_callbacks):
    content = write_xlsx(
        ["Тегі", "Аты", "Рөлі", "Сектор", "Өкілеттік басталуы"],
        [["Ахметова", "Сәуле", "мүше", "азамат", "01.03.2026"]],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = secretary_client.post(
            "/councils/import/",
            {"kind": "members", "council": council.code, "file": SimpleUploadedFile("m.xlsx", content)},
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    page = secretary_client.get(response["Location"])
    assert page.status_code == 200 and "Ахметова" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        secretary_client.post(response["Location"])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLIED
    assert Membership.objects.filter(council=council, person__last_name="Ахметова").exists()


def test_import_page_is_closed_to_plain_members(client, council, user_with_role):
    client.force_login(user_with_role(Role.COUNCIL_MEMBER, council))
    assert client.get("/councils/import/").status_code == 403


def test_someone_elses_import_is_not_found(
    client, secretary_client, council, user_with_role, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        secretary_client.post(
            "/councils/import/",
            {"kind": "members", "council": council.code, "file": SimpleUploadedFile("m.csv", b"a\n1\n")},
        )
    job = ImportJob.objects.get()
    client.force_login(user_with_role(Role.COORDINATOR))
    assert client.get(f"/councils/import/{job.pk}/").status_code == 404
