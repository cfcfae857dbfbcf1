"""/api/v1 endpoints of the barriers app."""

from ninja import Router

router = Router()
