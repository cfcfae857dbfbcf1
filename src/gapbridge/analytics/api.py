"""/api/v1 endpoints of the analytics app."""

from ninja import Router

router = Router()
