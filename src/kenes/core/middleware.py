"""Choose the interface language: a signed-in user's saved choice, else this browser's, else Kazakh.

Unlike Django's LocaleMiddleware the browser's Accept-Language header is not consulted: Kazakh is
the state language and the platform's default (DESIGN §6); people switch with one click.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


def request_language(request) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.preferred_language in supported:
        return user.preferred_language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if cookie in supported:
        return cookie
    return settings.LANGUAGE_CODE


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
