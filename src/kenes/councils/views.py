"""Public pages of the council registry (the full directory comes with the registry issue)."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from kenes.core.selectors import timeline_for

from . import selectors
from .models import Council


def council_list(request):
    page = Paginator(selectors.council_list(), 50).get_page(request.GET.get("page"))
    return render(request, "councils/council_list.html", {"page": page})


def council_detail(request, code: str):
    council = get_object_or_404(Council.objects.select_related("state_body", "region", "district"), code=code)
    can_see_log = request.user.has_perm("councils.change_council", council) or request.user.has_perm(
        "core.view_audit_log"
    )
    return render(
        request,
        "councils/council_detail.html",
        {
            "council": council,
            "memberships": selectors.current_memberships(council),
            "commissions": council.commissions.all(),
            "timeline": timeline_for(council) if can_see_log else None,
        },
    )
