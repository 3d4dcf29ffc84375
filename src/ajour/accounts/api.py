"""JSON API endpoints of the accounts app (mounted under /api/v1/ by ajour.api)."""

from ninja import Router

router = Router(tags=["accounts"])
