"""API of the council registry: `/api/v1/councils` and `/api/v1/persons` (public fields only)."""

from datetime import date
from enum import StrEnum

from django.http import Http404
from django.utils import timezone
from ninja import Field, FilterSchema, Path, Query, Router, Schema
from ninja.pagination import paginate

from kenes.core.api import Code, ErrorOut, Pages, ValidationErrorOut
from kenes.core.models import District, Region, StateBody, Topic

from . import compliance, selectors
from .models import Council, Person

router = Router(tags=["councils"])
persons_router = Router(tags=["persons"])


ComplianceFilter = StrEnum(
    "ComplianceFilter", [(code, code) for code in ("ok", "issues", *compliance.LABELS)]
)


class StateBodyOut(Schema):
    code: str
    name_kk: str
    name_ru: str
    name_en: str
    kind: str
    level: str


class CouncilOut(Schema):
    code: str
    name_kk: str
    name_ru: str
    name_en: str
    level: str
    status: str
    state_body: StateBodyOut
    region: str | None = Field(None, description="KATO code of the region")
    district: str | None = Field(None, description="code of the district")
    established_on: date | None
    term_start: date | None
    term_end: date | None
    min_members: int
    max_members: int
    active_members: int
    topics: list[str]
    compliance_findings: list[str] = Field(description="codes of the compliance rules the council fails")
    url: str

    @staticmethod
    def resolve_region(obj: Council) -> str | None:
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_district(obj: Council) -> str | None:
        return obj.district.code if obj.district_id else None

    @staticmethod
    def resolve_topics(obj: Council) -> list[str]:
        return sorted(topic.code for topic in obj.topics.all())

    @staticmethod
    def resolve_compliance_findings(obj: Council) -> list[str]:
        return [finding.code for finding in compliance.findings(obj, timezone.localdate()) if not finding.ok]

    @staticmethod
    def resolve_url(obj: Council) -> str:
        return f"/councils/{obj.code}/"


class CouncilFilters(FilterSchema):
    q: str | None = Field(None, description="words of the name, in any of the three languages")
    level: Council.Level | None = None
    region: Code | None = Field(None, description="KATO code of the region")
    district: Code | None = None
    state_body: Code | None = None
    topic: Code | None = None
    compliance: ComplianceFilter | None = Field(
        None, description="ok, issues, or the code of a rule the councils fail"
    )


def _query(filters: CouncilFilters) -> selectors.DirectoryQuery:
    def lookup(model, code):
        if not code:
            return None
        found = model.objects.filter(code=code).first()
        if found is None:
            raise Http404
        return found

    return selectors.DirectoryQuery(
        text=filters.q or "",
        level=filters.level or "",
        region=lookup(Region, filters.region),
        district=lookup(District, filters.district),
        state_body=lookup(StateBody, filters.state_body),
        topic=lookup(Topic, filters.topic),
        compliance=filters.compliance or "",
        sort="level",
    )


@router.get(
    "",
    response={200: list[CouncilOut], 404: ErrorOut, 422: ValidationErrorOut},
    summary="List councils",
)
@paginate(Pages, page_size=50)
def list_councils(request, filters: Query[CouncilFilters]):
    """Councils with their composition figures, filtered like the public directory.

    A region, district, state body or topic code that names nothing is a 404.
    """
    return selectors.council_directory(_query(filters)).prefetch_related("topics")


@router.get(
    "/{code}", response={200: CouncilOut, 404: ErrorOut, 422: ValidationErrorOut}, summary="One council"
)
def get_council(request, code: Path[Code]):
    try:
        return selectors.council_for_page(code)
    except Council.DoesNotExist as missing:
        raise Http404 from missing


class MembershipOut(Schema):
    council: str
    role: str
    sector: str
    term_start: date
    term_end: date | None
    ceased_on: date | None

    @staticmethod
    def resolve_council(obj) -> str:
        return obj.council.code


class PersonOut(Schema):
    id: int
    last_name: str
    first_name: str
    patronymic: str
    organisation: str
    position: str
    memberships: list[MembershipOut]

    @staticmethod
    def resolve_memberships(obj: Person):
        return list(obj.memberships.all())


@persons_router.get(
    "",
    response={200: list[PersonOut], 404: ErrorOut, 422: ValidationErrorOut},
    summary="List people with a public profile",
)
@paginate(Pages, page_size=50)
def list_persons(request, council: Code | None = None):
    """Only people who agreed to a public profile; private contacts are never included."""
    from django.db.models import Prefetch

    from .models import Membership

    people = selectors.public_people().prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("council").order_by("-term_start"))
    )
    if council:
        if not Council.objects.filter(code=council).exists():
            raise Http404  # as /meetings does: an unknown council is an error, not an empty list
        people = people.filter(memberships__council__code=council).distinct()
    return people


@persons_router.get(
    "/{person_id}",
    response={200: PersonOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="One person with a public profile",
)
def get_person(request, person_id: int):
    try:
        return selectors.public_person(person_id)
    except Person.DoesNotExist as missing:
        raise Http404 from missing
