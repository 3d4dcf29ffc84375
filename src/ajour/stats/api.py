"""JSON API endpoints of the stats app (mounted under /api/v1/ by ajour.api)."""

from ninja import Router

router = Router(tags=["stats"])
