"""The public JSON API, version 1, at /api/v1 (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from ninja import NinjaAPI

from gapbridge.api import errors
from gapbridge.countries.api import router as countries_router
from gapbridge.countries.api_reference import router as reference_router

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
api.add_router("/countries", countries_router, tags=["countries"])
api.add_router("/", reference_router, tags=["indicators and groups"])
