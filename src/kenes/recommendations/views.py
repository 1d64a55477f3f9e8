"""Pages of recommendations: the public page with each clock, the task lists, the answer and
verification forms. Views parse the request, call selectors and services, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kenes.core.forms import apply_validation_error
from kenes.core.selectors import timeline_for

from . import exporting, metrics, selectors, services
from .forms import (
    ClaimForm,
    ClarificationAnswerForm,
    ClarificationRequestForm,
    ExtensionForm,
    HearingForm,
    MoveForm,
    ResponseForm,
    VerificationForm,
)
from .models import Answer, Clarification, Commitment, Dispatch
from .workflows import ANSWERABLE, CLARIFIABLE, EXTENDABLE, MOVABLE, clock


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = selectors.recommendation_for_page(pk, request.user)
    if recommendation is None:
        raise Http404
    today = timezone.localdate()
    rows = []
    for dispatch in recommendation.dispatches.all():
        computed = clock(dispatch, today)
        rows.append(
            {
                "dispatch": dispatch,
                "clock": computed,
                "explanation": selectors.explanation(computed),
                "ladder": selectors.escalation_ladder(dispatch, today, computed),
                "can_answer": computed.state in ANSWERABLE
                and request.user.has_perm("recommendations.answer", dispatch),
                "can_verify": request.user.has_perm("recommendations.verify_implementation", dispatch),
                "can_ask": computed.state in CLARIFIABLE
                and request.user.has_perm("recommendations.request_clarification", dispatch),
                "can_offer_hearing": computed.state in ANSWERABLE
                and request.user.has_perm("recommendations.offer_hearing", dispatch),
                "can_extend": computed.state in EXTENDABLE
                and request.user.has_perm("recommendations.approve_extension", dispatch),
                "can_clarify": request.user.has_perm("recommendations.clarify", dispatch),
                "can_manage": request.user.has_perm("recommendations.manage_commitments", dispatch),
            }
        )
    timeline = timeline_for(recommendation) + [
        entry for row in rows for entry in timeline_for(row["dispatch"])
    ]
    timeline.sort(key=lambda entry: entry.timestamp, reverse=True)
    return render(
        request,
        "recommendations/detail.html",
        {"recommendation": recommendation, "rows": rows, "timeline": timeline, "movable": sorted(MOVABLE)},
    )


@login_required
def officer_tasks(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "recommendations/officer_tasks.html",
        {
            "tasks": selectors.officer_tasks(request.user),
            "commitments": selectors.officer_commitments(request.user),
        },
    )


@login_required
def council_tasks(request: HttpRequest) -> HttpResponse:
    return render(
        request, "recommendations/council_tasks.html", {"tasks": selectors.secretary_tasks(request.user)}
    )


@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = get_object_or_404(Dispatch.objects.select_related("recommendation", "body"), pk=pk)
    if not request.user.has_perm("recommendations.answer", dispatch):
        raise PermissionDenied
    form = ResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.response_give(
                dispatch=dispatch,
                answer=data["answer"],
                text=data["text"],
                reason_code=data["reason_code"],
                redirect_to=data["redirect_to"],
                commitments=form.commitments(),
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The answer is recorded and the council is told."))
            return redirect("recommendations:detail", dispatch.recommendation_id)
    return render(
        request,
        "recommendations/answer.html",
        {
            "dispatch": dispatch,
            "form": form,
            "clock": clock(dispatch),
            "earliest_hearing": services.earliest_hearing(),
        },
    )


@login_required
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_object_or_404(
        Commitment.objects.select_related("dispatch__recommendation", "dispatch__body"), pk=pk
    )
    if not request.user.has_perm("recommendations.verify_implementation", commitment):
        raise PermissionDenied
    form = VerificationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.implementation_verify(
                commitment=commitment,
                verdict=data["verdict"],
                text=data["text"],
                evidence=form.evidence(),
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The council's view is recorded."))
            return redirect("recommendations:detail", commitment.dispatch.recommendation_id)
    return render(request, "recommendations/verify.html", {"commitment": commitment, "form": form})


# --- The smaller actions on a clock or a commitment, as data: form, permission, service ----------


def _dispatch_of(obj):
    return obj if isinstance(obj, Dispatch) else obj.dispatch


ACTIONS = {
    "clarification_request": (
        Dispatch,
        ClarificationRequestForm,
        "recommendations.request_clarification",
        _lazy("Ask the council for a clarification"),
        lambda obj, data, user: services.clarification_request(
            dispatch=obj, question=data["question"], acting_user=user
        ),
    ),
    "clarification_answer": (
        Clarification,
        ClarificationAnswerForm,
        "recommendations.clarify",
        _lazy("Clarify the recommendation"),
        lambda obj, data, user: services.clarification_answer(
            clarification=obj, answer=data["answer"], acting_user=user
        ),
    ),
    "hearing": (
        Dispatch,
        HearingForm,
        "recommendations.offer_hearing",
        _lazy("Offer the council a hearing"),
        lambda obj, data, user: services.hearing_offer(
            dispatch=obj, held_on=data["held_on"], place=data["place"], acting_user=user
        ),
    ),
    "extension": (
        Dispatch,
        ExtensionForm,
        "recommendations.approve_extension",
        _lazy("Extend the deadline"),
        lambda obj, data, user: services.extension_grant(
            dispatch=obj, working_days=data["working_days"], reason=data["reason"], acting_user=user
        ),
    ),
    "move": (
        Commitment,
        MoveForm,
        "recommendations.manage_commitments",
        _lazy("Move the promised date"),
        lambda obj, data, user: services.commitment_move(
            commitment=obj,
            promised_on=data["promised_on"],
            reason=data["reason"],
            version=data["version"],
            acting_user=user,
        ),
    ),
    "claim": (
        Commitment,
        ClaimForm,
        "recommendations.manage_commitments",
        _lazy("Report as implemented"),
        None,  # needs the form's evidence, see below
    ),
}


@login_required
def action(request: HttpRequest, name: str, pk: int) -> HttpResponse:
    """One small action (ask, clarify, offer a hearing, extend, move a date, claim) on its own page."""
    if name not in ACTIONS:
        raise Http404
    model, form_class, permission, title, call = ACTIONS[name]
    related = "dispatch__recommendation" if model is not Dispatch else "recommendation"
    obj = get_object_or_404(model.objects.select_related(related), pk=pk)
    if not request.user.has_perm(permission, _dispatch_of(obj)):
        raise PermissionDenied
    initial = {"version": obj.version} if name == "move" else None
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if name == "claim":
                services.implementation_claim(
                    commitment=obj,
                    text=form.cleaned_data["text"],
                    evidence=form.evidence(),
                    acting_user=request.user,
                )
            else:
                call(obj, form.cleaned_data, request.user)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Done."))
            return redirect("recommendations:detail", _dispatch_of(obj).recommendation_id)
    return render(
        request,
        "recommendations/action.html",
        {"title": title, "form": form, "recommendation": _dispatch_of(obj).recommendation},
    )


# --- Public accountability pages and open-data exports (DESIGN §4) --------------------------------

AWAITING_PER_PAGE = 50


def _scope_object(scope: str, code: str):
    try:
        return selectors.scope_object(scope, code)
    except LookupError:
        raise Http404 from None


def _years(today) -> list[int]:
    return list(range(today.year, today.year - 6, -1))


def _file(chunks, fmt: str, name: str) -> StreamingHttpResponse:
    """A download streamed as it is written, so a national export neither waits nor fills memory."""
    response = StreamingHttpResponse(chunks, content_type=exporting.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def awaiting(request: HttpRequest) -> HttpResponse:
    """Every recommendation still awaiting a body's answer, longest waiting first."""
    page = Paginator(selectors.awaiting_dispatches(), AWAITING_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "recommendations/public_awaiting.html",
        {"page": page, "rows": selectors.awaiting_rows(page.object_list)},
    )


def scoreboard(request: HttpRequest) -> HttpResponse:
    choice = selectors.period_choice(request.GET)
    board = selectors.scoreboard(choice)
    # One reverse() for all rows: {% url %} per state body was a third of the page's time.
    prefix = reverse("recommendations:scope", args=["body", "-"]).removesuffix("-/")
    suffix = f"?{choice.query}" if choice.query else ""
    for group in board.groups:
        for row in group.rows:
            row.url = f"{prefix}{row.body.code}/{suffix}"
    return render(
        request,
        "recommendations/public_scoreboard.html",
        {
            "choice": choice,
            "board": board,
            "years": _years(timezone.localdate()),
            "formats": list(exporting.FORMATS),
        },
    )


def scope_page(request: HttpRequest, scope: str, code: str) -> HttpResponse:
    """The accountability figures of one state body, council or region for a period."""
    if scope == "national":  # the country's figures are the scoreboard and the exports
        raise Http404
    obj = _scope_object(scope, code)
    choice = selectors.period_choice(request.GET)
    figures = selectors.scope_metrics(scope, obj, choice.period)
    return render(
        request,
        "recommendations/public_scope.html",
        {
            "scope": scope,
            "obj": obj,
            "choice": choice,
            "figures": figures,
            "decision_mix": [(Answer(a).label, r) for a, r in figures.decision_mix.items()],
            "cohorts": list(figures.implementation_rate_by_cohort.items()),
            "years": _years(timezone.localdate()),
            "formats": list(exporting.FORMATS),
        },
    )


def scope_export(request: HttpRequest, scope: str, code: str, kind: str, fmt: str) -> HttpResponse:
    """``metrics``: the scope's metrics table; ``dispatches``: one row per dispatch of D (the clocks
    due in the period), so a recount of the file gives the page's rates."""
    if fmt not in exporting.FORMATS or kind not in ("metrics", "dispatches"):
        raise Http404
    choice = selectors.period_choice(request.GET)
    obj = _scope_object(scope, code)
    dispatches = selectors.scope_dispatches(scope, obj)
    name = f"kenes-{kind}-{scope}-{code}-{choice.period.start:%Y%m%d}-{choice.period.end:%Y%m%d}"
    if kind == "metrics":
        figures = selectors.scope_metrics(scope, obj, choice.period)
        rows = exporting.metric_rows(scope, code, figures)
        return _file(exporting.render(fmt, exporting.METRIC_HEADERS, rows, "metrics"), fmt, name)
    rows = exporting.dispatch_rows(metrics.due_in(dispatches, choice.period))
    return _file(exporting.render(fmt, exporting.DISPATCH_HEADERS, rows, "dispatches"), fmt, name)


def scoreboard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in exporting.FORMATS:
        raise Http404
    choice = selectors.period_choice(request.GET)
    rows = exporting.scoreboard_rows(selectors.scoreboard(choice), choice)
    name = f"kenes-scoreboard-{choice.period.start:%Y%m%d}-{choice.period.end:%Y%m%d}"
    return _file(exporting.render(fmt, exporting.SCOREBOARD_HEADERS, rows, "scoreboard"), fmt, name)
