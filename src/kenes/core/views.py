"""Pages of the core app: home, account, regions, language switch, health check, error pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import notify, selectors, services
from .models import Notification, Region


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/account.html",
        {
            "assignments": selectors.roles_of(request.user),
            "tasks": notify.open_tasks(request.user)[:50],
            "notifications": selectors.recent_notifications(request.user),
            "timeline": selectors.timeline_for(request.user, limit=20),
        },
    )


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    services.user_set_digest(user=request.user, digest=request.POST.get("notification_digest") == "on")
    return redirect("core:account")


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notify.notification_mark_done(notification=notification, acting_user=request.user)
    return redirect("core:account")


def region_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/region_list.html", {"regions": selectors.region_list()})


def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region.objects, code=code)
    can_see_log = request.user.has_perm("core.view_audit_log")
    return render(
        request,
        "core/region_detail.html",
        {
            "region": region,
            "former_names": selectors.former_names_for([region]).get(region.pk, []),
            "districts": region.districts.alive().order_by("name_kk"),
            "bodies": region.state_bodies.alive().filter(district__isnull=True).order_by("name_kk"),
            "timeline": selectors.timeline_for(region) if can_see_log else None,
        },
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered in a cookie and, when signed in, on the account."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        )
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
    return response


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise; for load balancers and the cluster scripts."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # No database access and no context processors that might fail again.
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(
        template.render({"LANGUAGE_CODE": getattr(request, "LANGUAGE_CODE", "kk")}), status=500
    )
