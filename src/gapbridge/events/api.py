"""/api/v1 endpoints of the events app."""

from ninja import Router

router = Router()
