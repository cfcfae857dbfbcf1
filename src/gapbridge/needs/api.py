"""/api/v1 endpoints of the needs app."""

from ninja import Router

router = Router()
