"""Error answers: pages in the site's layout and the reader's language, JSON on the API's paths."""

from __future__ import annotations

from fastapi.testclient import TestClient

from web_app import make_site  # noqa: F401 - fixture


def test_unknown_pages_get_a_page_and_the_api_keeps_json(make_site) -> None:
    site = make_site()
    client = site.client()
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text and 'href="/report"' in page.text  # the site's menus, not {"detail": ...}
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    spanish = client.get("/no/such/page", params={"lang": "es"})
    assert spanish.status_code == 404 and "Página no encontrada" in spanish.text and '<html lang="es">' in spanish.text
    api = client.get("/v1/no-such-thing")
    assert api.status_code == 404 and api.json() == {"error": {"field": "path", "reason": "Not Found"}}
    bad_index = site.client("oversight").get("/decisions/not-a-number")
    assert bad_index.status_code == 404 and "Page not found" in bad_index.text
    assert client.get("/v1/audit/proof/not-a-number").headers["content-type"] == "application/json"


def test_forbidden_and_server_errors_are_pages(make_site) -> None:
    site = make_site()
    refused = site.client("desk").get("/retro", headers={"Accept-Language": "es"})
    assert refused.status_code == 403 and "No permitido" in refused.text and "<header" in refused.text

    def boom() -> None:
        raise RuntimeError("a bug with a secret path /srv/keys")

    site.app.add_api_route("/boom", boom)
    site.app.add_api_route("/v1/boom", boom)
    client = TestClient(site.app, raise_server_exceptions=False)
    page = client.get("/boom")
    assert page.status_code == 500 and "Something went wrong" in page.text and "/srv/keys" not in page.text
    api = client.get("/v1/boom")
    assert api.status_code == 500 and api.json()["error"]["field"] == "server"
