from datetime import date

import pytest

from kenes.core.models import District, FormerName, LogEntry, Region, StateBody, Topic, VulnerableGroup
from kenes.core.reference import load_reference
from kenes.core.services import reference_rename, reference_restore, reference_retire
from kenes.search.selectors import site_search

pytestmark = pytest.mark.django_db


def test_twenty_regions_with_kato_and_iso_codes():
    regions = {r.code: r for r in Region.objects.all()}
    assert len(regions) == 20
    assert sum(r.kind == Region.Kind.CITY for r in regions.values()) == 3
    assert regions["10"].name_en == "Abai Region" and regions["10"].iso_code == "KZ-10"
    assert regions["33"].iso_code == "KZ-33"
    assert regions["62"].name_kk == "Ұлытау облысы"
    assert {regions[c].name_en for c in ("71", "75", "79")} == {"Astana", "Almaty", "Shymkent"}
    assert all(r.name_kk and r.name_ru and r.name_en for r in regions.values())


def test_every_region_has_an_akimat_and_districts():
    for region in Region.objects.all():
        assert (
            StateBody.objects.filter(region=region, kind=StateBody.Kind.AKIMAT, district__isnull=True).count()
            == 1
        )
        assert District.objects.filter(region=region).exists()


def test_central_bodies_topics_and_groups_are_loaded():
    assert StateBody.objects.filter(level=StateBody.Level.CENTRAL, kind=StateBody.Kind.MINISTRY).count() >= 18
    committee = StateBody.objects.get(code="cte-civil-society")
    assert committee.parent.code == "min-culture-info"
    assert Topic.objects.count() >= 12 and VulnerableGroup.objects.count() >= 10


def test_loading_again_changes_nothing():
    entries = LogEntry.objects.count()
    report = load_reference()
    assert report.untouched
    assert LogEntry.objects.count() == entries


def test_astana_keeps_nur_sultan_as_a_former_name_and_search_finds_it():
    astana = Region.objects.get(code="71")
    names = set(FormerName.objects.filter(object_id=astana.pk).values_list("name_en", flat=True))
    assert "Nur-Sultan" in names
    hits = site_search("Nur-Sultan")
    assert any(hit.title == astana.name for hit in hits)
    assert any(hit.title == astana.name for hit in site_search("нұр-сұлтан"))


def test_rename_keeps_history_and_is_audited(make_user):
    body = StateBody.objects.get(code="min-energy")
    old_ru = body.name_ru
    reference_rename(
        obj=body,
        name_kk="Энергетика және су министрлігі",
        name_ru="Министерство энергетики и воды",
        name_en="Ministry of Energy and Water",
        effective=date(2026, 6, 1),
        acting_user=None,
    )
    former = FormerName.objects.get(object_id=body.pk, name_ru=old_ru)
    assert former.valid_to == date(2026, 5, 31)
    assert LogEntry.objects.filter(action="core.reference.renamed", object_id=str(body.pk)).exists()
    assert StateBody.objects.filter(code="min-energy").count() == 1  # a rename is not a new body


def test_rename_needs_all_three_names():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        reference_rename(
            obj=Topic.objects.first(),
            name_kk="Жаңа",
            name_ru="",
            name_en="New",
            effective=date(2026, 1, 1),
            acting_user=None,
        )


def test_retired_rows_disappear_from_choices_but_stay_for_history():
    topic = Topic.objects.get(code=Topic.objects.first().code)
    reference_retire(obj=topic, acting_user=None)
    assert not Topic.objects.filter(pk=topic.pk).exists()
    assert Topic.all_objects.filter(pk=topic.pk).exists()
    reference_restore(obj=Topic.all_objects.get(pk=topic.pk), acting_user=None)
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_only_the_coordination_centre_edits_reference_data(user_with_role):
    from django.core.exceptions import PermissionDenied

    from kenes.core.models import Role

    expert = user_with_role(Role.EXPERT)
    with pytest.raises(PermissionDenied):
        reference_retire(obj=Topic.objects.first(), acting_user=expert)
    coordinator = user_with_role(Role.COORDINATOR)
    reference_retire(obj=Topic.objects.first(), acting_user=coordinator)


@pytest.mark.parametrize("query", ["Qaraǵandy", "Qarağandy", "qaragandy", "Карағанды", "Караганды"])
def test_site_search_finds_a_region_written_in_any_script(query):
    titles = {hit.title for hit in site_search(query)}
    assert Region.objects.get(code="35").name in titles, query
