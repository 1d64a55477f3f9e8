"""Pages of the council registry: public directory, council and person pages, secretary workspace."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.core.forms import apply_validation_error
from kenes.core.selectors import timeline_for

from . import exporting, selectors, services
from .forms import (
    CommissionForm,
    CompositionOrderForm,
    CoordinatorCouncilForm,
    CouncilForm,
    DirectoryFilterForm,
    EndMembershipForm,
    ImportForm,
    MembershipForm,
    PersonForm,
)
from .models import Commission, Council, ImportJob, Membership, Person

PAGE_SIZE = 50


def council_list(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    councils = selectors.council_directory(form.to_query())
    page = Paginator(councils, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "councils": selectors.attach_findings(page.object_list),
        "level_counts": selectors.level_counts(councils),
        "show_compliance": request.user.has_perm("councils.view_compliance"),
        "query_string": _query_without_page(request),
    }
    template = "councils/partials/directory_results.html" if request.htmx else "councils/council_list.html"
    return render(request, template, context)


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def council_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        council = selectors.council_for_page(code)
    except Council.DoesNotExist as missing:
        raise Http404 from missing
    can_manage = request.user.has_perm("councils.change_council", council)
    return render(
        request,
        "councils/council_detail.html",
        {
            "council": council,
            "memberships": selectors.current_memberships(council),
            "commissions": selectors.commissions_of(council),
            "can_manage": can_manage,
            "timeline": timeline_for(council)
            if can_manage or request.user.has_perm("core.view_audit_log")
            else None,
        },
    )


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        person = selectors.public_person(pk)
    except Person.DoesNotExist as missing:
        raise Http404 from missing
    return render(request, "councils/person_detail.html", {"person": person})


# --- Secretary workspace -------------------------------------------------------------------------


def _council_for(request: HttpRequest, code: str, permission: str) -> Council:
    council = get_object_or_404(Council.objects.select_related("state_body", "region", "district"), code=code)
    if not request.user.has_perm(permission, council):
        raise PermissionDenied
    return council


def _council_form_class(user):
    return CoordinatorCouncilForm if user.has_perm("core.manage_reference_data") else CouncilForm


@login_required
def workspace(request: HttpRequest, code: str) -> HttpResponse:
    council = _council_for(request, code, "councils.change_council")
    form_class = _council_form_class(request.user)
    form = form_class(request.POST or None, instance=council, prefix="council")
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.cleaned_data if name != "topics"}
        try:
            services.council_update(
                council=Council.objects.get(pk=council.pk),
                data=data,
                topics=form.cleaned_data.get("topics"),
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The council's details are saved."))
            return redirect("councils:workspace", code=data.get("code", council.code))
    return render(request, "councils/workspace.html", _workspace_context(request, council, form=form))


def _workspace_context(request, council: Council, **forms) -> dict:
    return {
        "council": council,
        "form": forms.get("form") or _council_form_class(request.user)(instance=council, prefix="council"),
        "memberships": selectors.current_memberships(council),
        "past_memberships": selectors.past_memberships(council)[:100],
        "commissions": selectors.commissions_of(council),
        "order_form": forms.get("order_form") or CompositionOrderForm(),
        "timeline": timeline_for(council),
    }


@login_required
def membership_add(request: HttpRequest, code: str) -> HttpResponse:
    council = _council_for(request, code, "councils.manage_membership")
    person_form = PersonForm(request.POST or None, prefix="person")
    membership_form = MembershipForm(request.POST or None, prefix="membership")
    if request.method == "POST" and person_form.is_valid() and membership_form.is_valid():
        try:
            services.membership_add(
                council=council,
                person_data=person_form.cleaned_data,
                data=membership_form.cleaned_data,
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_validation_error(membership_form, error)
        else:
            messages.success(request, _("The member is added."))
            return redirect("councils:workspace", code=council.code)
    return render(
        request,
        "councils/membership_form.html",
        {"council": council, "person_form": person_form, "membership_form": membership_form},
    )


@login_required
def membership_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    council = _council_for(request, code, "councils.manage_membership")
    membership = get_object_or_404(Membership.objects.select_related("person"), pk=pk, council=council)
    form = MembershipForm(
        request.POST or None, instance=Membership.objects.get(pk=membership.pk), prefix="membership"
    )
    end_form = EndMembershipForm(prefix="end")
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                membership=membership, data=form.cleaned_data, acting_user=request.user
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The membership is saved."))
            return redirect("councils:workspace", code=council.code)
    return render(
        request,
        "councils/membership_edit.html",
        {"council": council, "membership": membership, "form": form, "end_form": end_form},
    )


@login_required
@require_POST
def membership_end(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    council = _council_for(request, code, "councils.manage_membership")
    membership = get_object_or_404(Membership.objects.select_related("person"), pk=pk, council=council)
    end_form = EndMembershipForm(request.POST, prefix="end")
    if end_form.is_valid():
        try:
            services.membership_end(
                membership=membership,
                ceased_on=end_form.cleaned_data["ceased_on"],
                reason=end_form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_validation_error(end_form, error)
        else:
            messages.success(request, _("The membership has ended."))
            return redirect("councils:workspace", code=council.code)
    form = MembershipForm(instance=membership, prefix="membership")
    return render(
        request,
        "councils/membership_edit.html",
        {"council": council, "membership": membership, "form": form, "end_form": end_form},
        status=400,
    )


@login_required
def commission_edit(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    council = _council_for(request, code, "councils.manage_membership")
    commission = get_object_or_404(Commission, pk=pk, council=council) if pk else None
    form = CommissionForm(request.POST or None, instance=commission, council=council)
    if request.method == "POST" and form.is_valid():
        try:
            if commission is None:
                services.commission_create(
                    council=council,
                    name=form.cleaned_data["name"],
                    members=form.cleaned_data["members"],
                    acting_user=request.user,
                )
            else:
                services.commission_update(
                    commission=Commission.objects.get(pk=commission.pk),
                    name=form.cleaned_data["name"],
                    members=form.cleaned_data["members"],
                    acting_user=request.user,
                )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The commission is saved."))
            return redirect("councils:workspace", code=council.code)
    return render(
        request, "councils/commission_form.html", {"council": council, "commission": commission, "form": form}
    )


@login_required
@require_POST
def commission_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    council = _council_for(request, code, "councils.manage_membership")
    commission = get_object_or_404(Commission, pk=pk, council=council)
    services.commission_delete(commission=commission, acting_user=request.user)
    messages.success(request, _("The commission is deleted."))
    return redirect("councils:workspace", code=council.code)


@login_required
@require_POST
def composition_order_upload(request: HttpRequest, code: str) -> HttpResponse:
    council = _council_for(request, code, "councils.change_council")
    order_form = CompositionOrderForm(request.POST, request.FILES)
    if order_form.is_valid():
        try:
            services.composition_order_upload(
                council=council,
                file=order_form.cleaned_data["file"],
                order_date=order_form.cleaned_data["order_date"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_validation_error(order_form, error)
        else:
            messages.success(request, _("The order is uploaded."))
            return redirect(reverse("councils:workspace", args=[council.code]) + "#order")
    context = _workspace_context(request, council, order_form=order_form)
    return render(request, "councils/workspace.html", context, status=400)


# --- Import and export ---------------------------------------------------------------------------


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    councils = selectors.importable_councils(request.user)
    can_import_councils = request.user.has_perm("councils.import_registry")
    if not can_import_councils and not councils.exists():
        raise PermissionDenied
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        councils=councils,
        can_import_councils=can_import_councils,
        initial={"council": request.GET.get("council")},
    )
    if request.method == "POST" and form.is_valid():
        council = form.cleaned_data["council"]
        one_council = council is None and councils.count() == 1
        if form.cleaned_data["kind"] in (ImportJob.Kind.MEMBERS, ImportJob.Kind.ISSUES) and one_council:
            council = councils.get()
        try:
            job = services.import_start(
                kind=form.cleaned_data["kind"],
                council=council,
                file=form.cleaned_data["file"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("councils:import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(uploaded_by=request.user).select_related("council")[:10]
    return render(request, "councils/import_upload.html", {"form": form, "jobs": jobs})


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("council"), pk=pk, uploaded_by=request.user)
    if request.method == "POST":
        try:
            job = services.import_confirm(job=job, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("councils:import_job", pk=job.pk)
    rejected = [row for row in job.rows if row["action"] == "reject"]
    context = {
        "job": job,
        "rejected": rejected,
        "created": [row for row in job.rows if row["action"] == "create"][:200],
        "changed": [row for row in job.rows if row["action"] == "change"][:200],
        "can_apply": job.applicable,
    }
    template = "councils/partials/import_status.html" if request.htmx else "councils/import_job.html"
    return render(request, template, context)


EXPORT_FORMATS = {"xlsx", "csv", "json"}


def export(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "xlsx")
    kind = request.GET.get("kind", "councils")
    if fmt not in EXPORT_FORMATS or kind not in {"councils", "members"}:
        raise Http404
    form = DirectoryFilterForm(request.GET or None)
    councils = selectors.council_directory(form.to_query())
    private = request.user.has_perm("councils.import_registry")
    content, content_type = exporting.render(kind, fmt, councils, private=private)
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="kenes-{kind}-{stamp}.{fmt}"'
    return response
