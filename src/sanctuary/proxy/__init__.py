"""Guarding the department's own systems: a filtering reverse proxy (`sanctuary proxy`), the
authorization hook for NGINX `auth_request` and Envoy `ext_authz` (`/v1/authz` on `sanctuary serve
--routes`), the route map both read, and a demo records-management system to put behind them."""
