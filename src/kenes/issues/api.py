"""API of the problems database: `/api/v1/issues` (read, file, edit, move along the workflow, link)
and `/api/v1/issues/similar`. Reading is open; writes need a signed-in session (with its CSRF token)
and the same per-object permissions as the pages."""

from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Path, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from kenes.core.api import Code, ErrorOut, ValidationErrorOut
from kenes.core.models import District, Region, Topic, VulnerableGroup
from kenes.councils.models import Council

from . import selectors, services
from .models import PRIVATE_STATUSES, Issue, IssueLink, Language
from .search import IssueFilters, issue_search
from .similar import similar_issues

router = Router(tags=["issues"])

TEXT_LIMIT = 20_000
IssueId = Annotated[int, Path(ge=1, le=2**62)]
QueryText = Annotated[str, Field(max_length=500)]
ShortCode = Annotated[str, Field(max_length=80, pattern=r"^[^\x00-\x1f\x7f]*$")]
PageNumber = Annotated[int, Field(ge=1, le=100_000)]
PageSize = Annotated[int, Field(ge=1, le=100)]
LongText = Annotated[str, Field(max_length=TEXT_LIMIT)]
SimilarCount = Annotated[int, Field(ge=1, le=20)]


class IssueOut(Schema):
    id: int
    title: str
    description: str
    language: str
    status: str
    status_reason: str
    source: str
    council: str = Field(description="code of the council the problem was raised in")
    region: str | None = Field(None, description="KATO code of the region")
    district: str | None = None
    topics: list[str]
    groups: list[str]
    problem: int | None = Field(None, description="the confirmed national problem it belongs to")
    duplicate_of: int | None = None
    created_at: datetime
    url: str

    @staticmethod
    def resolve_council(obj: Issue):
        return obj.council.code

    @staticmethod
    def resolve_region(obj: Issue):
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_district(obj: Issue):
        return obj.district.code if obj.district_id else None

    @staticmethod
    def resolve_topics(obj: Issue):
        return [topic.code for topic in obj.topics.all()]

    @staticmethod
    def resolve_groups(obj: Issue):
        return [group.code for group in obj.groups.all()]

    @staticmethod
    def resolve_problem(obj: Issue):
        problem = obj.problem
        return problem.pk if problem is not None and problem.status == "confirmed" else None

    @staticmethod
    def resolve_duplicate_of(obj: Issue):
        return obj.duplicate_of_id

    @staticmethod
    def resolve_status_reason(obj: Issue):
        return obj.status_reason if obj.is_public else ""

    @staticmethod
    def resolve_url(obj: Issue):
        return f"/issues/{obj.pk}/"


class IssueListOut(Schema):
    count: int
    page: int
    pages: int
    items: list[IssueOut]


class SimilarOut(Schema):
    score: float = Field(description="the engine's similarity score")
    duplicate: bool = Field(description="whether the engine considers it very likely the same problem")
    issue: IssueOut


class IssueIn(Schema):
    council: Code = Field(max_length=80, description="code of the council the problem is filed for")
    title: str = Field(max_length=300)
    description: str = Field(max_length=TEXT_LIMIT)
    language: Language
    region: Code | None = Field(None, max_length=2)
    district: Code | None = Field(None, max_length=64)
    topics: list[Code] = Field(default_factory=list, max_length=50)
    groups: list[Code] = Field(default_factory=list, max_length=50)
    same_as: list[int] = Field(
        default_factory=list, max_length=20, description="ids of the same problem raised elsewhere"
    )
    related_to: list[int] = Field(default_factory=list, max_length=20)


class IssuePatch(Schema):
    title: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=TEXT_LIMIT)
    language: Language | None = None
    region: Code | None = Field(None, max_length=2)
    district: Code | None = Field(None, max_length=64)
    topics: list[Code] | None = Field(None, max_length=50)
    groups: list[Code] | None = Field(None, max_length=50)


class TransitionIn(Schema):
    action: str = Field(
        max_length=32,
        description="accept, remove, review, take, raise, resolve, reject, close_duplicate, reopen",
    )
    reason: str = Field("", max_length=TEXT_LIMIT)
    duplicate_of: int | None = Field(None, ge=1)


class LinkIn(Schema):
    target: int = Field(ge=1)
    kind: IssueLink.Kind


class FieldErrorsOut(Schema):
    detail: str
    errors: dict[str, list[str]]


def _issues():
    return Issue.objects.select_related("council", "region", "district", "problem").prefetch_related(
        "topics", "groups"
    )


def _visible(request, issue_id: int) -> Issue:
    issue = _issues().filter(pk=issue_id).first()
    if issue is None or not request.user.has_perm("issues.view_issue", issue):
        raise Http404
    return issue


def _errors(error: ValidationError) -> tuple[int, dict]:
    if hasattr(error, "error_dict"):
        errors = {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in error.messages]}
    return 400, {"detail": "The request was refused.", "errors": errors}


def _lookup(model, code: str | None, field: str):
    if not code:
        return None
    found = model.objects.filter(code=code).first()
    if found is None:
        raise ValidationError({field: f"unknown code {code!r}"})
    return found


def _labels(model, codes: list[str], field: str) -> list:
    found = list(model.objects.filter(code__in=codes))
    if len(found) != len(set(codes)):
        raise ValidationError({field: "unknown code"})
    return found


WRITE_RESPONSES = {
    200: IssueOut,
    400: FieldErrorsOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}


def _write(issue: Issue, change):
    """Run a service's write on ``issue``: its refusals as 403 or 400, else the issue as it is now."""
    try:
        change()
    except PermissionDenied as denied:
        raise HttpError(403, str(denied) or "Forbidden") from denied
    except ValidationError as error:
        return _errors(error)
    return _issues().get(pk=issue.pk)


def _public(ids: list[int]) -> list[Issue]:
    return list(Issue.objects.filter(pk__in=ids).exclude(status__in=PRIVATE_STATUSES))


@router.get("", response={200: IssueListOut, 422: ValidationErrorOut}, summary="Search and list problems")
def list_issues(
    request,
    q: QueryText = "",
    region: ShortCode = "",
    topic: ShortCode = "",
    group: ShortCode = "",
    status: ShortCode = "",
    council: ShortCode = "",
    date_from: date | None = None,
    date_to: date | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 20,
):
    """Published problems matching every word of ``q`` (any script, any form of the word) and the filters."""
    filters = IssueFilters(
        region=region,
        topic=topic,
        group=group,
        status=status,
        council=council,
        date_from=date_from,
        date_to=date_to,
    )
    result = issue_search(
        query=q, filters=filters, user=request.user, page=page, per_page=page_size, facets=False
    )
    ids = [hit.issue.pk for hit in result.hits]
    by_id = _issues().in_bulk(ids)
    return {
        "count": result.total,
        "page": result.page,
        "pages": result.pages,
        "items": [by_id[pk] for pk in ids if pk in by_id],
    }


@router.get(
    "/similar",
    response={200: list[SimilarOut], 422: ValidationErrorOut},
    summary="The published problems most similar to a text",
)
def similar(request, text: LongText, k: SimilarCount = 5):
    """Across Kazakh (Cyrillic or Latin), Russian and English; the engine's score and duplicate flag."""
    if "\x00" in text:
        return []
    suggestions = similar_issues(text, k=k)
    by_id = _issues().in_bulk([s.issue.pk for s in suggestions])
    return [
        {"score": round(s.score, 4), "duplicate": s.duplicate, "issue": by_id[s.issue.pk]}
        for s in suggestions
        if s.issue.pk in by_id
    ]


@router.get(
    "/{issue_id}", response={200: IssueOut, 404: ErrorOut, 422: ValidationErrorOut}, summary="One problem"
)
def get_issue(request, issue_id: IssueId):
    return _visible(request, issue_id)


@router.post(
    "",
    auth=django_auth,
    response={
        201: IssueOut,
        400: FieldErrorsOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="File a problem for a council",
)
def create_issue(request, payload: IssueIn):
    council = Council.objects.filter(code=payload.council).first()
    if council is None:
        raise Http404
    try:
        data = {
            "title": payload.title,
            "description": payload.description,
            "language": payload.language,
            "region": _lookup(Region, payload.region, "region"),
            "district": _lookup(District, payload.district, "district"),
            "topics": _labels(Topic, payload.topics, "topics"),
            "groups": _labels(VulnerableGroup, payload.groups, "groups"),
        }
        issue = services.issue_file(
            council=council,
            data=data,
            acting_user=request.user,
            same_as=_public(payload.same_as),
            related_to=_public(payload.related_to),
        )
    except PermissionDenied as denied:
        raise HttpError(403, str(denied) or "Forbidden") from denied
    except ValidationError as error:
        return _errors(error)
    return 201, _issues().get(pk=issue.pk)


@router.patch(
    "/{issue_id}",
    auth=django_auth,
    response=WRITE_RESPONSES,
    summary="Correct a problem (the council's staff)",
)
def update_issue(request, issue_id: IssueId, payload: IssuePatch):
    issue = _visible(request, issue_id)
    given = payload.dict(exclude_unset=True)

    def change():
        data = {key: given[key] for key in ("title", "description", "language") if given.get(key) is not None}
        if "region" in given:
            data["region"] = _lookup(Region, given["region"], "region")
        if "district" in given:
            data["district"] = _lookup(District, given["district"], "district")
        if given.get("topics") is not None:
            data["topics"] = _labels(Topic, given["topics"], "topics")
        if given.get("groups") is not None:
            data["groups"] = _labels(VulnerableGroup, given["groups"], "groups")
        services.issue_change(issue=issue, data=data, acting_user=request.user)

    return _write(issue, change)


@router.post(
    "/{issue_id}/transition",
    auth=django_auth,
    response=WRITE_RESPONSES,
    summary="Move a problem along its workflow",
)
def transition_issue(request, issue_id: IssueId, payload: TransitionIn):
    issue = _visible(request, issue_id)
    duplicate_of = None
    if payload.duplicate_of:
        duplicate_of = (
            Issue.objects.exclude(status__in=PRIVATE_STATUSES).filter(pk=payload.duplicate_of).first()
        )
        if duplicate_of is None:
            return _errors(ValidationError({"duplicate_of": "no published problem with this id"}))
    return _write(
        issue,
        lambda: services.issue_transition(
            issue=issue,
            name=payload.action,
            reason=payload.reason,
            duplicate_of=duplicate_of,
            acting_user=request.user,
        ),
    )


@router.post(
    "/{issue_id}/links",
    auth=django_auth,
    response=WRITE_RESPONSES,
    summary="Link a problem to another as the same or related",
)
def link_issue(request, issue_id: IssueId, payload: LinkIn):
    issue = _visible(request, issue_id)
    target = Issue.objects.exclude(status__in=PRIVATE_STATUSES).filter(pk=payload.target).first()
    if target is None:
        return _errors(ValidationError({"target": "no published problem with this id"}))
    return _write(
        issue,
        lambda: services.issue_link(source=issue, target=target, kind=payload.kind, acting_user=request.user),
    )


class LinkOut(Schema):
    id: int
    kind: str
    issue: int = Field(description="the problem at the other end of the link")
    created_at: datetime


@router.get(
    "/{issue_id}/links",
    response={200: list[LinkOut], 404: ErrorOut, 422: ValidationErrorOut},
    summary="Links of a problem",
)
def issue_links(request, issue_id: IssueId):
    issue = _visible(request, issue_id)
    return [
        {"id": row.link.pk, "kind": row.link.kind, "issue": row.other.pk, "created_at": row.link.created_at}
        for row in selectors.links_of(issue, request.user)
    ]
