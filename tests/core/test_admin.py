"""The administration: open to the coordination centre by rule, every change audited."""

import pytest

from kenes.core.models import LogEntry, Region, Role, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(user_with_role):
    return user_with_role(Role.COORDINATOR, is_staff=True)


def test_coordinator_manages_reference_data_in_admin(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/admin/core/region/").status_code == 200
    topic = Topic.objects.get(code=Topic.objects.first().code)
    response = client.post(
        f"/admin/core/topic/{topic.pk}/change/",
        {
            "code": topic.code,
            "name_kk": "Экология (жаңа)",
            "name_ru": topic.name_ru,
            "name_en": topic.name_en,
        },
    )
    assert response.status_code == 302
    entry = LogEntry.objects.filter(action="core.topic.changed", object_id=str(topic.pk)).get()
    assert entry.actor == coordinator
    assert entry.data["after"] == {"name_kk": "Экология (жаңа)"}


def test_admin_history_shows_the_audit_timeline(client, coordinator):
    client.force_login(coordinator)
    region = Region.objects.get(code="71")
    html = client.get(f"/admin/core/region/{region.pk}/history/").text
    assert "core.reference.loaded" in html


def test_expert_with_staff_flag_cannot_edit_reference_data(client, user_with_role):
    client.force_login(user_with_role(Role.EXPERT, is_staff=True))
    assert client.get("/admin/core/region/").status_code == 403


def test_reference_rows_are_retired_not_deleted(client, coordinator):
    client.force_login(coordinator)
    topic = Topic.objects.first()
    response = client.post("/admin/core/topic/", {"action": "retire", "_selected_action": [topic.pk]})
    assert response.status_code == 302
    assert Topic.all_objects.get(pk=topic.pk).is_retired
    assert client.get(f"/admin/core/topic/{topic.pk}/delete/").status_code == 403


def test_audit_log_cannot_be_edited_in_admin(client, user_with_role):
    client.force_login(user_with_role(Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    entry = LogEntry.objects.first()
    assert client.get("/admin/core/logentry/").status_code == 200
    assert client.post(f"/admin/core/logentry/{entry.pk}/change/", {"action": "forged"}).status_code == 403
    assert client.get(f"/admin/core/logentry/{entry.pk}/delete/").status_code == 403


def test_timeline_shows_readable_labels(client, user_with_role):
    client.force_login(user_with_role(Role.COORDINATOR))
    html = client.get("/regions/71/").text
    assert "анықтамалық файлдардан жүктелді" in html  # Kazakh, the default language
