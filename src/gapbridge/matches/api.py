"""/api/v1 endpoints of the matches app."""

from ninja import Router

router = Router()
