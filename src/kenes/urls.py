from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from kenes import views as site_views
from kenes.api.main import api
from kenes.core import observability
from kenes.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", observability.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("kenes.core.auth_urls")),
    path("councils/", include("kenes.councils.urls")),
    path("search/", include("kenes.search.urls")),
    path("meetings/", include("kenes.meetings.urls")),
    path("recommendations/", include("kenes.recommendations.urls")),
    path("", include("kenes.issues.urls")),
    path("", site_views.home, name="home"),
    path("", include("kenes.core.urls")),
]

handler403 = "kenes.core.views.error_403"
handler404 = "kenes.core.views.error_404"
handler500 = "kenes.core.views.error_500"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
