"""API of recommendations: `/api/v1/recommendations` to read, and the write path a state body's own
system uses to post its responses, authenticated by a token scoped to that body."""

from datetime import date
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.security import HttpBearer

from kenes.core.api import Code, ErrorOut, Pages, ValidationErrorOut
from kenes.core.models import StateBody
from kenes.councils.models import Council

from . import exporting, selectors, services
from .models import Answer, BodyToken, Commitment, Dispatch, RejectionReason, Response
from .workflows import clock

router = Router(tags=["recommendations"])


class BodyTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: a token created for one state body by the coordination centre."""

    def authenticate(self, request, token):
        if not token or len(token) > 200:
            return None
        found = (
            BodyToken.objects.active()
            .select_related("body", "acting_user")
            .filter(token_hash=BodyToken.hash(token))
            .first()
        )
        if found is None or not found.acting_user.is_active:
            return None
        BodyToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        return found


def _clock(dispatch: Dispatch):
    """The clock of a dispatch, computed once per answer."""
    if not hasattr(dispatch, "_api_clock"):
        dispatch._api_clock = clock(dispatch)
    return dispatch._api_clock


class SlipOut(Schema):
    from_date: date
    to_date: date
    reason: str


class CommitmentOut(Schema):
    id: int
    action: str
    responsible_unit: str
    promised_on: date
    original_promised_on: date
    status: str
    slips: list[SlipOut]

    @staticmethod
    def resolve_slips(obj: Commitment):
        return list(obj.slips.all())


class DispatchOut(Schema):
    id: int
    body: str = Field(description="code of the addressee state body")
    body_name: str
    redirected_from: str | None = Field(None, description="code of the body that named this one competent")
    sent_on: date | None
    due_on: date | None
    clock: str = Field(description="not_sent, running, due_soon, overdue, long_overdue, paused or answered")
    working_days_overdue: int
    answer: str = Field(description="accepted, partially, rejected, not_competent; empty while unanswered")
    answered_on: date | None
    due_explanation: list[str] = Field(
        description="how the due date was computed: days off skipped, pauses, extensions"
    )
    commitments: list[CommitmentOut]

    @staticmethod
    def resolve_body(obj: Dispatch):
        return obj.body.code

    @staticmethod
    def resolve_body_name(obj: Dispatch):
        return obj.body.name

    @staticmethod
    def resolve_redirected_from(obj: Dispatch):
        return obj.redirected_from.body.code if obj.redirected_from_id else None

    @staticmethod
    def resolve_clock(obj: Dispatch):
        return str(_clock(obj).state)

    @staticmethod
    def resolve_working_days_overdue(obj: Dispatch):
        return _clock(obj).working_days_overdue

    @staticmethod
    def resolve_due_explanation(obj: Dispatch):
        return selectors.explanation(_clock(obj))

    @staticmethod
    def resolve_commitments(obj: Dispatch):
        return list(obj.commitments.all())


class RecommendationOut(Schema):
    id: int
    title: str
    status: str
    council: str | None = Field(None, description="code of the council; empty for a central recommendation")
    adopted_on: date | None
    sent_on: date | None
    bodies: list[str] = Field(description="codes of the addressee bodies")
    url: str

    @staticmethod
    def resolve_council(obj):
        return obj.council.code if obj.council_id else None

    @staticmethod
    def resolve_bodies(obj):
        return [d.body.code for d in obj.dispatches.all()]

    @staticmethod
    def resolve_url(obj):
        return f"/recommendations/{obj.pk}/"


class RecommendationDetailOut(RecommendationOut):
    text: str
    dispatches: list[DispatchOut]

    @staticmethod
    def resolve_dispatches(obj):
        return list(obj.dispatches.all())


def _dispatches_prefetch():
    return Prefetch(
        "dispatches",
        queryset=Dispatch.objects.select_related("body", "redirected_from__body").prefetch_related(
            "clarifications",
            "extensions",
            Prefetch("commitments", queryset=Commitment.objects.prefetch_related("slips")),
        ),
    )


@router.get(
    "",
    response={200: list[RecommendationOut], 404: ErrorOut, 422: ValidationErrorOut},
    summary="List recommendations",
)
@paginate(Pages, page_size=50)
def list_recommendations(request, council: Code | None = None, body: Code | None = None):
    """Recommendations the caller may see (sent ones for everybody), newest first; filter by the
    council's code or an addressee body's code. A code that names nothing is a 404."""
    queryset = selectors.visible_recommendations(request.user).select_related("council")
    if council:
        found = Council.objects.filter(code=council).first()
        if found is None:
            raise Http404
        queryset = queryset.filter(council=found)
    if body:
        found_body = StateBody.objects.filter(code=body).first()
        if found_body is None:
            raise Http404
        queryset = queryset.filter(dispatches__body=found_body)
    return queryset.prefetch_related(
        Prefetch("dispatches", queryset=Dispatch.objects.select_related("body"))
    ).order_by("-created_at", "-pk")


# --- Accountability metrics (the same rows as the open-data exports, docs/metrics.md) ---------------
# Declared before ``/{recommendation_id}`` so that their fixed paths are matched first.

Year = Annotated[int, Field(ge=2000, le=2100, description="a calendar year; default: the last 12 months")]
Quarter = Annotated[int, Field(ge=1, le=4, description="a quarter of ``year``")]
ScopeName = Literal["body", "council", "region", "national"]


class MetricOut(Schema):
    scope: str
    scope_code: str
    period_start: date
    period_end: date
    as_of: date
    metric: str
    breakdown: str
    numerator: int | None
    denominator: int | None
    value: float | None
    count: int | None
    median: float | None
    p90: float | None


class ScoreboardRowOut(Schema):
    period_start: date
    period_end: date
    peer_level: str
    peer_kind: str
    body_code: str
    body_name: str
    ranked: bool
    rank: int | None
    on_time: int
    due_in_period: int
    on_time_rate: float | None
    wilson_lower_bound: float | None
    answered: int
    response_rate: float | None
    previous_on_time: int
    previous_due_in_period: int
    previous_on_time_rate: float | None
    on_time_rate_change: float | None


def _period(year: int | None, quarter: int | None) -> selectors.PeriodChoice:
    params = {"year": str(year)} if year else {}
    if year and quarter:
        params["quarter"] = str(quarter)
    return selectors.period_choice(params)


def _records(headers: list[str], rows) -> list[dict]:
    return [dict(zip(headers, row, strict=True)) for row in rows]


@router.get(
    "/metrics/{scope}/{code}",
    response={200: list[MetricOut], 404: ErrorOut, 422: ValidationErrorOut},
    summary="Accountability metrics of a state body, council, region or the country for a period",
)
def get_metrics(
    request, scope: ScopeName, code: Code, year: Year | None = None, quarter: Quarter | None = None
):
    """Every metric of DESIGN §4 (docs/metrics.md) as rows: a rate with its numerator and
    denominator, a distribution with its count, median and 90th percentile. ``national`` takes the
    code ``all``; an unknown code is a 404."""
    try:
        obj = selectors.scope_object(scope, code)
    except LookupError:
        raise Http404 from None
    choice = _period(year, quarter)
    figures = selectors.scope_metrics(scope, obj, choice.period)
    return _records(exporting.METRIC_HEADERS, exporting.metric_rows(scope, code, figures))


@router.get(
    "/scoreboard",
    response={200: list[ScoreboardRowOut], 422: ValidationErrorOut},
    summary="The national scoreboard: every state body's on-time rate, ranked within its peer group",
)
def get_scoreboard(request, year: Year | None = None, quarter: Quarter | None = None):
    """One row per state body with recommendations due in the period or the previous one, as on the
    public scoreboard: ranked by the Wilson lower bound of the on-time rate when the sample reaches
    the minimum, with the change against the previous period."""
    choice = _period(year, quarter)
    return _records(
        exporting.SCOREBOARD_HEADERS, exporting.scoreboard_rows(selectors.scoreboard(choice), choice)
    )


@router.get(
    "/{recommendation_id}",
    response={200: RecommendationDetailOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="One recommendation with each addressee's clock, answer and commitments",
)
def get_recommendation(request, recommendation_id: int):
    found = (
        selectors.visible_recommendations(request.user)
        .select_related("council")
        .prefetch_related(_dispatches_prefetch())
        .filter(pk=recommendation_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


class CommitmentIn(Schema):
    action: str = Field(min_length=1, max_length=5000)
    responsible_unit: str = Field(min_length=1, max_length=300)
    promised_on: date


class ResponseIn(Schema):
    answer: Answer
    text: str = Field(
        min_length=1, max_length=20000, description="the reasons; a rejection needs substantive ones"
    )
    reason_code: RejectionReason | None = Field(None, description="required for a rejection")
    redirect_to: Code | None = Field(None, description="code of the competent body, for not_competent")
    commitments: list[CommitmentIn] = Field(default_factory=list, max_length=50)


class ResponseOut(Schema):
    id: int
    dispatch: int
    answer: str
    responded_on: date
    on_time: bool
    redirected_to: int | None = Field(None, description="the new dispatch at the competent body")

    @staticmethod
    def resolve_dispatch(obj: Response):
        return obj.dispatch_id


def _message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


@router.post(
    "/dispatches/{dispatch_id}/response",
    auth=BodyTokenAuth(),
    response={
        201: ResponseOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="A state body's system posts its answer to one recommendation",
)
def post_response(request, dispatch_id: int, payload: ResponseIn):
    """Answer the recommendation sent to the token's body: the same rules as the web form (reasons,
    a hearing before a rejection, a commitment for an acceptance, the competent body for a redirect).
    Another body's dispatch is a 403; a refused answer a 400 saying why."""
    token: BodyToken = request.auth
    dispatch = Dispatch.objects.select_related("recommendation", "body").filter(pk=dispatch_id).first()
    if dispatch is None or dispatch.sent_on is None:
        raise Http404
    if dispatch.body_id != token.body_id:
        raise HttpError(403, "This recommendation is not addressed to the token's body.")
    redirect_to = None
    if payload.redirect_to:
        redirect_to = StateBody.objects.filter(code=payload.redirect_to).first()
        if redirect_to is None:
            raise HttpError(400, "redirect_to names no state body.")
    try:
        response = services.response_give(
            dispatch=dispatch,
            answer=payload.answer.value,
            text=payload.text,
            reason_code=payload.reason_code.value if payload.reason_code else "",
            redirect_to=redirect_to,
            commitments=[
                services.CommitmentInput(c.action, c.responsible_unit, c.promised_on)
                for c in payload.commitments
            ],
            acting_user=token.acting_user,
            channel=Response.Channel.API,
        )
    except PermissionDenied as error:
        raise HttpError(403, str(error) or "Forbidden") from error
    except ValidationError as error:
        raise HttpError(400, _message(error)) from error
    dispatch.refresh_from_db()
    redirected = getattr(dispatch, "redirected_to", None)
    response.on_time = dispatch.due_on is not None and response.responded_on <= dispatch.due_on
    response.redirected_to = redirected.pk if redirected else None
    return Status(201, response)
