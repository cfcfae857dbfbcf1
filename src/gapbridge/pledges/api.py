"""/api/v1 endpoints of the pledges app."""

from ninja import Router

router = Router()
