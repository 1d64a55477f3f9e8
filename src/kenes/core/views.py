"""Pages of the core app: home, account, regions, language switch, health check, error pages."""

from __future__ import annotations

import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import notify, selectors, services
from .middleware import cookie_language
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


@never_cache
@require_http_methods(["GET", "POST"])
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language and go back to ``next`` (on this site only).

    Visitors switch with a GET (``?lang=ru&next=/councils/``), so the pages they read carry no CSRF
    token and can be shared from the cache; the choice is kept in a cookie. Signed-in people POST
    (CSRF-checked), which also saves the choice on their account.
    """
    data = request.POST if request.method == "POST" else request.GET
    language = data.get("lang", "")
    next_url = data.get("next") or "/"
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
        if request.method == "POST" and request.user.is_authenticated:
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


# Seconds a client is asked to wait when the database does not answer (a restart, a fail-over).
RETRY_AFTER_SECONDS = 10


def error_500(request):
    """The server error page, or a 503 with Retry-After when the database does not answer.

    Django calls this while handling the exception, wherever it was raised (a view, the session
    middleware); a lost or refused database connection is a passing state, not a server error.
    """
    # No database access and no context processors that might fail again.
    from django.template import loader

    language = getattr(request, "LANGUAGE_CODE", None) or cookie_language(request)
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        with translation.override(language):
            if request.path.startswith("/api/"):
                response = JsonResponse({"detail": _("The database is not answering; try again shortly.")})
            else:
                response = HttpResponse(loader.get_template("503.html").render({"LANGUAGE_CODE": language}))
        response.status_code = 503
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response
    template = loader.get_template("500.html")
    return HttpResponse(template.render({"LANGUAGE_CODE": language}), status=500)
