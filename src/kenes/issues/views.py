"""Pages of the problems database: search, one problem, filing with similar problems shown while
typing, citizens' submissions and their moderation, and the national problems."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from kenes.core.forms import apply_validation_error
from kenes.core.selectors import timeline_for
from kenes.councils.models import Council

from . import selectors, services
from .forms import (
    AgendaForm,
    AttachmentForm,
    IssueForm,
    LinkForm,
    MergeForm,
    ProblemForm,
    PublicIssueForm,
    SearchForm,
    SplitForm,
    TransitionForm,
)
from .models import Attachment, Issue, IssueLink, Problem
from .search import IssueFilters, issue_search
from .similar import similar_issues, similar_to_issue
from .workflows import actions

SIMILAR_SHOWN = 5


def _issue_for(request: HttpRequest, pk: int, permission: str = "issues.view_issue") -> Issue:
    try:
        issue = selectors.issue_for_page(pk)
    except Issue.DoesNotExist as missing:
        raise Http404 from missing
    if not request.user.has_perm("issues.view_issue", issue):
        raise Http404
    if permission != "issues.view_issue" and not request.user.has_perm(permission, issue):
        raise PermissionDenied
    return issue


def issue_list(request: HttpRequest) -> HttpResponse:
    """Search the published problems of every council, with filters and facet counts."""
    form = SearchForm(request.GET or None)
    filters = IssueFilters()
    query = ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        query = data["q"]
        filters = IssueFilters(
            region=data["region"].code if data["region"] else "",
            topic=data["topic"].code if data["topic"] else "",
            group=data["group"].code if data["group"] else "",
            status=data["status"],
            council=data["council"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    try:
        page_number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page_number = 1
    result = issue_search(query=query, filters=filters, user=request.user, page=page_number)
    council = Council.objects.filter(code=filters.council).first() if filters.council else None
    return render(
        request,
        "issues/issue_list.html",
        {
            "form": form,
            "result": result,
            "query": query,
            "council": council,
            "can_file": council is not None and request.user.has_perm("issues.file_issue", council),
            "can_moderate": council is not None and request.user.has_perm("issues.moderate_issue", council),
            "querystring": _querystring(request),
            "facets": _facet_links(request, result),
            "previous_page": result.page - 1 if result.page > 1 else None,
            "next_page": result.page + 1 if result.page < result.pages else None,
        },
    )


FACET_LABELS = {
    "status": _lazy("Status"),
    "region": _lazy("Region"),
    "topic": _lazy("Topic"),
    "group": _lazy("Vulnerable group"),
}


def _facet_links(request: HttpRequest, result) -> list[dict]:
    """Each facet value as a link that narrows (or, when chosen, widens) the search."""
    facets = []
    for name, label in FACET_LABELS.items():
        values = []
        chosen = request.GET.get(name, "")
        for value in result.facets.get(name, []):
            params = request.GET.copy()
            params.pop("page", None)
            if chosen == value.code:
                params.pop(name, None)
            else:
                params[name] = value.code
            values.append({"value": value, "url": "?" + params.urlencode(), "active": chosen == value.code})
        if values:
            facets.append({"name": name, "label": label, "values": values})
    return facets


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_for(request, pk)
    user = request.user
    can_manage = user.has_perm("issues.manage_issue", issue)
    can_link = user.has_perm("issues.link_issues", issue)
    links = selectors.links_of(issue, user)
    linked = {row.other.pk for row in links}
    similar = (
        [s for s in similar_to_issue(issue, k=SIMILAR_SHOWN) if s.issue.pk not in linked]
        if issue.is_public
        else []
    )
    return render(
        request,
        "issues/issue_detail.html",
        {
            "issue": issue,
            "links": links,
            "similar": similar,
            "actions": actions(issue, user),
            "can_manage": can_manage,
            "can_link": can_link,
            "can_support": user.has_perm("issues.support_issue", issue) and issue.is_public,
            "supported": selectors.supported_by(issue, user),
            "can_attach": can_manage or (user.is_authenticated and issue.author_id == user.pk),
            "transition_form": TransitionForm(),
            "link_form": LinkForm(),
            "attachment_form": AttachmentForm(),
            "timeline": timeline_for(issue) if can_manage else None,
        },
    )


def _suggestions(form: IssueForm, exclude: set[int] = frozenset()) -> list:
    text = form.text
    if len(text) < 12:
        return []
    try:
        return similar_issues(text, k=SIMILAR_SHOWN, exclude=exclude)
    except ValidationError:
        return []


def similar(request: HttpRequest) -> HttpResponse:
    """The five published problems most like what is being typed (an htmx fragment, or a page)."""
    form = IssueForm(request.GET or None)
    suggestions = _suggestions(form) if form.is_bound else []
    return render(
        request,
        "issues/partials/similar.html",
        {
            "suggestions": suggestions,
            "same_as": set(form.chosen("same_as")),
            "related_to": set(form.chosen("related_to")),
            "selectable": request.GET.get("selectable") == "1",
            "typed": bool(form.text),
        },
    )


def _chosen_issues(form: IssueForm, name: str) -> list[Issue]:
    ids = form.chosen(name)
    return list(
        Issue.objects.filter(pk__in=ids).exclude(status__in=[Issue.Status.PENDING, Issue.Status.SPAM])
    )


@login_required
def issue_file(request: HttpRequest, code: str) -> HttpResponse:
    """A member files a problem; the most similar problems from every region are shown alongside."""
    council = get_object_or_404(Council, code=code)
    if not request.user.has_perm("issues.file_issue", council):
        raise PermissionDenied
    form = IssueForm(request.POST or None, request.FILES or None, council=council)
    suggestions = []
    status = 200
    if request.method == "POST":
        suggestions = _suggestions(form)
        if request.POST.get("step") != "check" and form.is_valid():
            try:
                issue = services.issue_file(
                    council=council,
                    data=form.cleaned_data,
                    acting_user=request.user,
                    same_as=_chosen_issues(form, "same_as"),
                    related_to=_chosen_issues(form, "related_to"),
                    files=request.FILES.getlist("files"),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The problem is filed."))
                return redirect("issues:detail", issue.pk)
        if form.errors:
            status = 400
    return render(
        request,
        "issues/issue_form.html",
        {
            "form": form,
            "council": council,
            "suggestions": suggestions,
            "same_as": set(form.chosen("same_as")),
            "related_to": set(form.chosen("related_to")),
            "public": False,
            "selectable": True,
        },
        status=status,
    )


def _client_address(request: HttpRequest) -> str:
    # Behind the proxy of docs/deploy.md the last hop is the proxy; it sets X-Real-IP.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR", "")


def issue_submit(request: HttpRequest, code: str) -> HttpResponse:
    """A citizen submits a problem to a council; the secretary moderates it before it is published."""
    council = get_object_or_404(Council, code=code)
    form = PublicIssueForm(request.POST or None, council=council)
    suggestions = []
    status = 200
    if request.method == "POST":
        suggestions = _suggestions(form)
        if form.is_spam:
            # Say nothing to a robot that filled the invisible field; store nothing.
            return render(request, "issues/submitted.html", {"council": council, "issue": None})
        if request.POST.get("step") != "check" and form.is_valid():
            data = form.cleaned_data
            try:
                issue = services.issue_submit_public(
                    council=council,
                    data=data,
                    name=data["name"],
                    email=data["email"],
                    address=_client_address(request),
                    language=get_language() or "kk",
                    same_as=_chosen_issues(form, "same_as"),
                    related_to=_chosen_issues(form, "related_to"),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                return render(request, "issues/submitted.html", {"council": council, "issue": issue})
        if form.errors:
            status = 400
    return render(
        request,
        "issues/issue_form.html",
        {
            "form": form,
            "council": council,
            "suggestions": suggestions,
            "same_as": set(form.chosen("same_as")),
            "related_to": set(form.chosen("related_to")),
            "public": True,
            "selectable": True,
        },
        status=status,
    )


def issue_track(request: HttpRequest, token: str) -> HttpResponse:
    """A citizen follows their submission through the link in their mail."""
    issue = services.issue_for_token(token)
    if issue is None:
        raise Http404
    return render(request, "issues/track.html", {"issue": issue})


@login_required
def moderation(request: HttpRequest, code: str) -> HttpResponse:
    council = get_object_or_404(Council, code=code)
    if not request.user.has_perm("issues.moderate_issue", council):
        raise PermissionDenied
    queue = list(selectors.moderation_queue(council))
    return render(
        request,
        "issues/moderation.html",
        {"council": council, "queue": queue, "transition_form": TransitionForm()},
    )


@login_required
@require_POST
def issue_transition(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_for(request, pk)
    form = TransitionForm(request.POST)
    back = request.POST.get("next") or reverse("issues:detail", args=[issue.pk])
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("issues:detail", args=[issue.pk])
    if not form.is_valid():
        messages.error(request, _("Check the form."))
        return redirect(back)
    duplicate_of = None
    if form.cleaned_data.get("duplicate_of"):
        duplicate_of = (
            Issue.objects.exclude(status__in=[Issue.Status.PENDING, Issue.Status.SPAM])
            .filter(pk=form.cleaned_data["duplicate_of"])
            .first()
        )
        if duplicate_of is None:
            messages.error(request, _("There is no published problem with this number."))
            return redirect(back)
    try:
        services.issue_transition(
            issue=issue,
            name=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
            duplicate_of=duplicate_of,
            acting_user=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Done."))
    return redirect(back)


@login_required
@require_POST
def issue_support(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_for(request, pk)
    if request.POST.get("withdraw"):
        services.issue_unsupport(issue=issue, acting_user=request.user)
        messages.success(request, _("Your support is withdrawn."))
    else:
        try:
            services.issue_support(issue=issue, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("You support this problem."))
    return redirect("issues:detail", issue.pk)


@login_required
@require_POST
def issue_link(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_for(request, pk, "issues.link_issues")
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            services.issue_link(
                source=issue,
                target=form.cleaned_data["target"],
                kind=form.cleaned_data["kind"],
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The problems are linked."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("issues:detail", args=[issue.pk]) + "#links")


@login_required
@require_POST
def issue_unlink(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    issue = _issue_for(request, pk)
    link = get_object_or_404(IssueLink.objects.select_related("source", "target"), pk=link_pk)
    if issue.pk not in (link.source_id, link.target_id):
        raise Http404
    services.issue_unlink(link=link, acting_user=request.user)
    messages.success(request, _("The link is removed."))
    return redirect(reverse("issues:detail", args=[issue.pk]) + "#links")


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_for(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(issue=issue, file=form.cleaned_data["file"], acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The file is attached."))
    else:
        messages.error(request, _("Choose a file."))
    return redirect(reverse("issues:detail", args=[issue.pk]) + "#attachments")


def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    issue = _issue_for(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, issue=issue)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


# --- National problems -------------------------------------------------------------------------


def problem_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Problem.Status.CONFIRMED)
    if status not in (Problem.Status.CONFIRMED, Problem.Status.PROPOSED):
        status = Problem.Status.CONFIRMED
    problems = selectors.problem_list(request.user, status=status)
    page = Paginator(problems, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "issues/problem_list.html",
        {
            "page": page,
            "status": status if request.user.has_perm("issues.manage_problem") else Problem.Status.CONFIRMED,
            "can_manage": request.user.has_perm("issues.manage_problem"),
            "querystring": f"status={status}",
        },
    )


def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        problem = selectors.problem_for_page(pk, request.user)
    except Problem.DoesNotExist as missing:
        raise Http404 from missing
    can_manage = request.user.has_perm("issues.manage_problem", problem)
    forms = {}
    status = 200
    if can_manage:
        forms = {
            "edit": ProblemForm(initial={"title": problem.title, "summary": problem.summary}),
            "split": SplitForm(problem=problem),
            "merge": MergeForm(targets=selectors.merge_targets(problem)),
            "agenda": AgendaForm(meetings=selectors.coordination_meetings()),
        }
        if request.method == "POST":
            done, status = _problem_action(request, problem, forms)
            if done is not None:
                return done
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "issues/problem_detail.html",
        {
            "problem": problem,
            "issues": selectors.problem_issues(problem),
            "can_manage": can_manage,
            "forms": forms,
            "timeline": timeline_for(problem) if can_manage else None,
        },
        status=status,
    )


def _problem_action(request: HttpRequest, problem: Problem, forms: dict):
    action = request.POST.get("action")
    user = request.user
    try:
        if action == "edit":
            form = forms["edit"] = ProblemForm(request.POST)
            if form.is_valid():
                services.problem_confirm(problem=problem, acting_user=user, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("issues:problem", problem.pk), 200
            return None, 400
        if action == "dismiss":
            services.problem_dismiss(problem=problem, acting_user=user)
            messages.success(request, _("The proposal is dismissed."))
            return redirect(reverse("issues:problems") + "?status=proposed"), 200
        if action == "split":
            form = forms["split"] = SplitForm(request.POST, problem=problem)
            if form.is_valid():
                new = services.problem_split(
                    problem=problem,
                    issues=list(form.cleaned_data["issues"]),
                    title=form.cleaned_data["title"],
                    acting_user=user,
                )
                messages.success(request, _("The national problem is split."))
                return redirect("issues:problem", new.pk), 200
            return None, 400
        if action == "merge":
            form = forms["merge"] = MergeForm(request.POST, targets=selectors.merge_targets(problem))
            if form.is_valid():
                into = services.problem_merge(
                    problem=problem, into=form.cleaned_data["into"], acting_user=user
                )
                messages.success(request, _("The national problems are merged."))
                return redirect("issues:problem", into.pk), 200
            return None, 400
        if action == "remove_issue":
            issue = get_object_or_404(Issue, pk=request.POST.get("issue") or 0, problem=problem)
            services.problem_remove_issue(problem=problem, issue=issue, acting_user=user)
            messages.success(request, _("The problem is removed from the national problem."))
            return redirect("issues:problem", problem.pk), 200
        if action == "agenda":
            form = forms["agenda"] = AgendaForm(request.POST, meetings=selectors.coordination_meetings())
            if form.is_valid():
                meeting = form.cleaned_data["meeting"]
                services.problem_put_on_agenda(problem=problem, meeting=meeting, acting_user=user)
                messages.success(request, _("The national problem is on the agenda."))
                return redirect("meetings:detail", meeting.pk), 200
            return None, 400
    except ValidationError as error:
        form = forms.get(action)
        if form is not None and form.is_bound:
            apply_validation_error(form, error)
        else:
            messages.error(request, " ".join(error.messages))
        return None, 400
    messages.error(request, _("Unknown action."))
    return None, 400
