"""Every compliance rule, computed from memberships (never typed in)."""

from datetime import date, timedelta

import pytest
import time_machine

from kenes.councils import compliance
from kenes.councils.models import Council, Membership
from kenes.councils.selectors import DirectoryQuery, council_directory
from tests.factories import CouncilFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 29)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-11-29 10:00 +05:00", tick=False):
        yield


def seat(council, count, **fields):
    return [MembershipFactory(council=council, term_start=date(2025, 1, 1), **fields) for _ in range(count)]


def findings_of(council: Council) -> dict[str, bool]:
    annotated = compliance.annotate_compliance(Council.objects.filter(pk=council.pk)).get()
    return {finding.code: finding.ok for finding in compliance.findings(annotated, TODAY)}


def compliant_council(**fields) -> Council:
    fields.setdefault("term_end", date(2028, 1, 1))
    council = CouncilFactory(min_members=10, max_members=15, **fields)
    seat(council, 1, role=Membership.Role.CHAIR, ngo_name="ОО «Адал»")
    for n in range(9):
        seat(council, 1, ngo_name=f"ОО «Ұйым {n}»")
    return council


def test_a_well_formed_council_passes_every_rule():
    assert set(findings_of(compliant_council()).values()) == {True}


def test_too_few_and_too_many_members():
    council = compliant_council()
    Membership.objects.filter(council=council).order_by("-pk").first().delete()
    assert findings_of(council)["size"] is False
    seat(council, 7, sector=Membership.Sector.CITIZEN)
    assert findings_of(council)["size"] is False  # 16 > 15


def test_ceased_and_expired_memberships_do_not_count():
    council = compliant_council()
    extra = seat(council, 2, sector=Membership.Sector.CITIZEN)
    extra[0].ceased_on, extra[0].ceased_reason = date(2026, 5, 1), "resigned"
    extra[0].save()
    extra[1].term_end = date(2026, 1, 1)
    extra[1].save()
    annotated = compliance.annotate_compliance(Council.objects.filter(pk=council.pk)).get()
    assert annotated.active_members == 10


def test_civil_society_share_of_two_thirds_is_enough_and_less_is_not():
    council = compliant_council()
    # 10 civil + 5 state = exactly two thirds civil: compliant.
    seat(council, 5, sector=Membership.Sector.STATE)
    assert findings_of(council)["civil_society"] is True
    Membership.objects.filter(council=council, sector=Membership.Sector.NGO).exclude(
        role="chair"
    ).first().delete()
    # 9 civil + 5 state: 64 % civil.
    assert findings_of(council)["civil_society"] is False


def test_chair_in_state_service_or_missing_chair_is_a_finding():
    council = compliant_council()
    chair = Membership.objects.get(council=council, role=Membership.Role.CHAIR)
    chair.person.in_state_service = True
    chair.person.save()
    assert findings_of(council)["chair"] is False
    chair.delete()
    assert findings_of(council)["chair"] is False


def test_two_representatives_of_one_organisation_even_written_differently():
    council = compliant_council()
    seat(council, 1, ngo_name='Общественное объединение "Адал"')
    assert findings_of(council)["one_per_ngo"] is False


def test_term_expiring_within_two_months_and_expired_are_findings():
    assert findings_of(compliant_council(term_end=TODAY + timedelta(days=50)))["term"] is False
    assert findings_of(compliant_council(term_end=TODAY - timedelta(days=1)))["term"] is False
    assert findings_of(compliant_council(term_end=TODAY + timedelta(days=70)))["term"] is True


def test_directory_filters_by_rule_and_overall():
    good = compliant_council()
    bad = compliant_council()
    chair = Membership.objects.get(council=bad, role=Membership.Role.CHAIR)
    chair.person = PersonFactory(in_state_service=True)
    chair.save()
    codes = lambda **q: set(council_directory(DirectoryQuery(**q)).values_list("code", flat=True))  # noqa: E731
    assert bad.code in codes(compliance="chair") and good.code not in codes(compliance="chair")
    assert bad.code in codes(compliance="issues") and good.code in codes(compliance="ok")
