from django.conf import settings


def navigation(request):
    """What the base layout needs on every page: languages and the areas this user may open."""
    user = getattr(request, "user", None)
    return {
        "languages": settings.LANGUAGES,
        "show_admin_link": bool(user and user.is_authenticated and user.is_staff),
    }
