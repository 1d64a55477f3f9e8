"""Choose the interface language: a signed-in user's saved choice, else this browser's, else Kazakh.

Unlike Django's LocaleMiddleware the browser's Accept-Language header is not consulted: Kazakh is
the state language and the platform's default (DESIGN §6); people switch with one click.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


def cookie_language(request) -> str:
    """This browser's choice, else Kazakh; what an anonymous visitor sees (no database needed)."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return cookie if cookie in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def request_language(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.preferred_language in dict(settings.LANGUAGES):
        return user.preferred_language
    return cookie_language(request)


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
