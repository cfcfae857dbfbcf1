"""/api/v1 endpoints of the offers app."""

from ninja import Router

router = Router()
