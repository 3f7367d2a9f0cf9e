"""How every server of sanctuary (`serve`, `proxy`, `demo-upstream`, the witness) runs under uvicorn."""

from __future__ import annotations

from typing import Any

import uvicorn


def uvicorn_config(app: Any, **settings: Any) -> uvicorn.Config:
    """The server's config (`settings`: host, port, loop...). Proxy headers are off: uvicorn would
    believe `X-Forwarded-For` and `-Proto` from 127.0.0.1 by default, so anyone on the machine, or
    behind a local web server passing the header on, could pick the address its sign-in attempts
    are counted and recorded under. The peer's address stands; only `SANCTUARY_TRUSTED_PROXIES`
    says whose header to believe (`web.signin.client_address`)."""
    settings = {"access_log": False, "log_level": "warning", **settings}
    return uvicorn.Config(app, proxy_headers=False, forwarded_allow_ips=[], **settings)
