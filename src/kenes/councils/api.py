"""API of the council registry: `/api/v1/councils` and `/api/v1/persons` (public fields only)."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from django.http import Http404
from django.utils import timezone
from ninja import Field, FilterSchema, Path, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from kenes.core.models import District, Region, StateBody, Topic

from . import compliance, selectors
from .models import Council, Person

router = Router(tags=["councils"])
persons_router = Router(tags=["persons"])


# The error bodies of the whole API (the meetings router uses them too), so that the OpenAPI document
# declares every answer an operation can give, not only its 200.
class ErrorOut(Schema):
    """A 4xx answer other than 422: ninja's ``Http404`` and ``HttpError`` bodies."""

    detail: str = Field(description="what was wrong, in words")


class ParameterErrorOut(Schema):
    type: str = Field(description="pydantic's error type, e.g. int_parsing")
    loc: list[str | int] = Field(description="where: the parameter source and name, e.g. query, page")
    msg: str


class ValidationErrorOut(Schema):
    """A 422 answer: parameters that do not match the types and bounds this document gives them."""

    detail: list[ParameterErrorOut]


# A code parameter (of a council, region, district, state body or topic) is printable text. A control
# character is a 422: PostgreSQL cannot compare text holding NUL, so the lookup would end in a 500.
Code = Annotated[str, Field(pattern=r"^[^\x00-\x1f\x7f]*$")]

ComplianceFilter = StrEnum(
    "ComplianceFilter", [(code, code) for code in ("ok", "issues", *compliance.LABELS)]
)


class Pages(PageNumberPagination):
    """Numbered pages whose bounds are part of the document: a page past them is a 422.

    Without the bound, a page like 10**20 makes an OFFSET the database cannot hold, and a 500.
    """

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, description="rows per page; sizes above 100 give 100 rows")


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
    response={200: list[PersonOut], 422: ValidationErrorOut},
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
