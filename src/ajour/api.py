"""The versioned JSON API (`/api/v1/…`), one router per domain app; schema at /api/openapi.json."""

from ninja import NinjaAPI

from ajour import __version__
from ajour.accounts.api import router as accounts_router
from ajour.catalogue.api import router as catalogue_router
from ajour.claims.api import router as claims_router
from ajour.simulator.api import router as simulator_router
from ajour.stats.api import router as stats_router

api = NinjaAPI(
    title="Ajour API",
    version=f"v1 ({__version__})",
    description=(
        "Claims, accounts, the course catalogue, statistics and the policy simulator for CME in Danish "
        "general practice."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("/v1/", claims_router)
api.add_router("/v1/", accounts_router)
api.add_router("/v1/catalogue/", catalogue_router)
api.add_router("/v1/stats/", stats_router)
api.add_router("/v1/simulations", simulator_router)
