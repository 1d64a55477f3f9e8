"""Whole public pages for anonymous visitors, kept for a short while in the shared cache.

The pages every visitor reads (home, councils, problems, accountability) cost tens of milliseconds
of Python each; the same bytes are sent to everybody who is not signed in. They are kept in the
``default`` cache (Redis on the production layout, so every app server shares them) for
``KENES_PAGE_CACHE_SECONDS``.

Django's ``CacheMiddleware`` would key each page on the whole ``Cookie`` header, because our
responses vary on it (the language and the session). A visitor who once received a CSRF cookie
would then get a copy of their own. For a visitor who is not signed in the cookie decides only the
language, so the key here is the page's address, the language and whether htmx asked for a
fragment. A page is stored or served only when nothing personal can be in it:

- the request is a GET of a view listed in ``KENES_PAGE_CACHE_VIEWS`` and carries no cookie but
  the language and the CSRF one (a session cookie means perhaps signed in, a messages cookie a
  notice still to show);
- the response is a 200 that sets no cookie (so no CSRF token was put into a form and no session
  was written) and is not marked private or no-store.

Data may therefore be up to ``KENES_PAGE_CACHE_SECONDS`` old for anonymous readers; signed-in
people always see the live page.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control, patch_response_headers, patch_vary_headers
from django.utils.encoding import iri_to_uri

from .middleware import cookie_language

CACHE_HEADER = "X-Page-Cache"


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method != "GET" or not settings.KENES_PAGE_CACHE_SECONDS:
        return False
    harmless = {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    if any(name not in harmless for name in request.COOKIES):
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in settings.KENES_PAGE_CACHE_VIEWS


def _cacheable_response(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def page_key(request: HttpRequest) -> str:
    """The page's full address (scheme, host, path, query), its language and htmx or not."""
    address = hashlib.sha256(iri_to_uri(request.build_absolute_uri()).encode()).hexdigest()
    fragment = "htmx" if request.headers.get("HX-Request") == "true" else "page"
    return f"kenes:page:{cookie_language(request)}:{fragment}:{address}"


class AnonymousPageCacheMiddleware:
    """Serve listed pages to anonymous visitors from the cache; store them after the first render.

    Placed before the security, session, CSRF and CSP middleware, so that a stored page carries
    every header they add and a hit costs one cache read and nothing else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _cacheable_request(request):
            return self._personal(request, self.get_response(request))
        key = page_key(request)
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content, headers=headers)
            response[CACHE_HEADER] = "hit"
            return response
        response = self.get_response(request)
        if not _cacheable_response(response):
            return self._personal(request, response)
        seconds = settings.KENES_PAGE_CACHE_SECONDS
        patch_response_headers(response, seconds)
        patch_cache_control(response, public=True)
        # The htmx fragment and the whole page share an address; browsers must keep them apart.
        patch_vary_headers(response, ("Cookie", "HX-Request"))
        cache.set(key, (response.content, list(response.items())), seconds)
        response[CACHE_HEADER] = "miss"
        return response

    @staticmethod
    def _personal(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """A listed page that was not shared (signed in, a cookie set): no shared cache may keep it."""
        match = getattr(request, "resolver_match", None)
        if (
            response.status_code == 200
            and match is not None
            and match.view_name in settings.KENES_PAGE_CACHE_VIEWS
        ):
            patch_cache_control(response, private=True)
        return response
