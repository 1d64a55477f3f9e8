from ninja import NinjaAPI

from kenes.councils.api import persons_router
from kenes.councils.api import router as councils_router
from kenes.issues.api import router as issues_router
from kenes.meetings.api import router as meetings_router
from kenes.meetings.api import series_router
from kenes.recommendations.api import router as recommendations_router
from kenes.search.api import router as search_router

api = NinjaAPI(
    title="Kenes API",
    version="1",
    description="Public data of Kazakhstan's public councils. Reading is open; responses are JSON.",
    urls_namespace="api-v1",
    # The interactive docs page loads its scripts from a CDN, which closed networks cannot reach;
    # the OpenAPI document itself is served at /api/v1/openapi.json.
    docs_url=None,
)
api.add_router("/councils", councils_router)
api.add_router("/persons", persons_router)
api.add_router("/meetings", meetings_router)
api.add_router("/series", series_router)
api.add_router("/issues", issues_router)
api.add_router("/search", search_router)
api.add_router("/recommendations", recommendations_router)
