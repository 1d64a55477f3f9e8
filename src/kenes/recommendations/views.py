"""Pages of recommendations: the public page with each clock, the task lists, the answer and
verification forms. Views parse the request, call selectors and services, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.core.forms import apply_validation_error
from kenes.core.selectors import timeline_for

from . import selectors, services
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
from .models import Clarification, Commitment, Dispatch
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
        _("Ask the council for a clarification"),
        lambda obj, data, user: services.clarification_request(
            dispatch=obj, question=data["question"], acting_user=user
        ),
    ),
    "clarification_answer": (
        Clarification,
        ClarificationAnswerForm,
        "recommendations.clarify",
        _("Clarify the recommendation"),
        lambda obj, data, user: services.clarification_answer(
            clarification=obj, answer=data["answer"], acting_user=user
        ),
    ),
    "hearing": (
        Dispatch,
        HearingForm,
        "recommendations.offer_hearing",
        _("Offer the council a hearing"),
        lambda obj, data, user: services.hearing_offer(
            dispatch=obj, held_on=data["held_on"], place=data["place"], acting_user=user
        ),
    ),
    "extension": (
        Dispatch,
        ExtensionForm,
        "recommendations.approve_extension",
        _("Extend the deadline"),
        lambda obj, data, user: services.extension_grant(
            dispatch=obj, working_days=data["working_days"], reason=data["reason"], acting_user=user
        ),
    ),
    "move": (
        Commitment,
        MoveForm,
        "recommendations.manage_commitments",
        _("Move the promised date"),
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
        _("Report as implemented"),
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
