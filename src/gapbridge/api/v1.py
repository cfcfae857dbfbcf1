"""The public JSON API, version 1, at /api/v1 (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from ninja import NinjaAPI

from gapbridge.analytics.api import router as analytics_router
from gapbridge.api import errors
from gapbridge.api.me import router as me_router
from gapbridge.barriers.api import router as barriers_router
from gapbridge.countries.api import router as countries_router
from gapbridge.countries.api_reference import router as reference_router
from gapbridge.events.api import router as events_router
from gapbridge.matches.api import router as matches_router
from gapbridge.needs.api import router as needs_router
from gapbridge.offers.api import router as offers_router
from gapbridge.pledges.api import router as pledges_router
from gapbridge.projects.api import router as projects_router

api = NinjaAPI(
    title="GapBridge API",
    version="1.0.0",
    description=(
        "Open data on the digital divide and the support that exists to close it. "
        "Every value carries its year and source. Lists are paginated with `limit` and `offset`; "
        'add `format=csv` for CSV. Errors use one envelope: `{"error": {"code", "message"}}`.'
    ),
    urls_namespace="api-v1",
)
errors.install(api)
api.add_router("/", me_router, tags=["account"])
api.add_router("/countries", countries_router, tags=["countries"])
api.add_router("/", reference_router, tags=["indicators and groups"])
# Each app mounts its own router; paths are absolute under /api/v1 (e.g. "/activities").
for _tag, _router in (
    ("projects and funding", projects_router),
    ("offers", offers_router),
    ("needs", needs_router),
    ("matches", matches_router),
    ("events", events_router),
    ("barriers", barriers_router),
    ("pledges", pledges_router),
    ("analytics", analytics_router),
):
    api.add_router("/", _router, tags=[_tag])
