"""The combined application `sanctuary serve` runs: the gateway's API with the pages mounted on it.

Assembled here, above both, so that the gateway does not import the pages (and a process that only
decides never loads them).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from sanctuary import web
from sanctuary.gateway.app import Gateway, GatewayConfig, create_api
from sanctuary.gateway.services import Policy


def create_app(cfg: GatewayConfig, policy: Policy | None = None) -> FastAPI:
    """The gateway API (``sanctuary.gateway.app.create_api``) and, over the same gateway, the pages."""
    app = create_api(cfg, policy)
    gateway: Gateway = app.state.gateway
    app.include_router(web.pages(gateway))
    app.mount("/static", StaticFiles(directory=web.STATIC), name="static")
    return app
