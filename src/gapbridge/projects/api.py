"""/api/v1 endpoints of the projects app."""

from ninja import Router

router = Router()
