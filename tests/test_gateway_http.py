"""The gateway through real HTTP on loopback, on SQLite and on PostgreSQL (store and log).

Every example request (every kind, both outcomes) is decided exactly as the decision pipeline
decides it; permits release redacted records; every answer names its log entry, which records what
was disclosed; the audit endpoints publish a checkpoint and proofs the stand-alone verifier accepts.
"""

from __future__ import annotations

import base64
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway_harness import BODIES, Running, start
from records_stores import STORE_KINDS, pg_database
from sanctuary import config
from sanctuary.agencies import load_registry
from sanctuary.audit.verifier import (
    TILE_HEIGHT,
    leaf_hash,
    open_checkpoint,
    parse_vkey,
    tile_path,
    tiles_at,
    verify_inclusion,
    verify_tiles,
)
from sanctuary.gateway.answers import CAVEAT
from sanctuary.models import Kind, parse_request
from sanctuary.pipeline import Pipeline
from sanctuary.policy.categories import vocabulary
from sanctuary.policy.engine import PolicyEngine
from sanctuary.records import PROTECTED_FIELDS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "requests.jsonl"


@pytest.fixture(scope="module", params=STORE_KINDS)
def gateway(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    home = tmp_path_factory.mktemp("gateway")
    patch = pytest.MonkeyPatch()
    patch.setenv("SANCTUARY_HOME", str(home))
    if request.param == "sqlite":
        running = start(home, str(home / "records.db"), str(home / "log.db"))
        yield running
        running.stop()
    else:
        stores, logs = pg_database("gwstore"), pg_database("gwlog")
        running = start(home, next(stores), next(logs))
        yield running
        running.stop()
        for gen in (stores, logs):
            next(gen, None)
    patch.undo()


def log_entry(gateway: Running, index: int) -> dict:
    return json.loads(gateway.get(f"/v1/audit/entries/{index}").content)


def test_every_example_is_decided_as_the_pipeline_decides_it(gateway: Running) -> None:
    registry = load_registry()
    pipeline = Pipeline(PolicyEngine.load(["chicago-2021"], registry))
    outcomes = set()
    last_index = -1
    for line in EXAMPLES.read_text().splitlines():
        body = json.loads(line)
        agency = registry.resolve(body["requester"]["agency"])
        assert agency is not None
        expected = pipeline.decide(parse_request(body))
        response = gateway.post(agency.id, body)
        answer = response.json()
        assert "decision" in answer, (body["id"], answer)
        got = answer["decision"]
        assert (got["decision"], got["citations"], got["rules"], got["redact"]) == (
            expected.decision,
            expected.citations,
            expected.rules,
            expected.redact,
        ), body["id"]
        assert response.status_code == (200 if expected.decision == "permit" else 422 if expected.error else 403)
        assert answer["request_id"] == body["id"] and answer["caveat"] == CAVEAT
        assert answer["log_index"] > last_index
        last_index = answer["log_index"]
        assert response.headers["X-Log-Index"] == str(last_index)
        assert log_entry(gateway, last_index)["decision"] == expected.decision
        outcomes.add((body["kind"], expected.decision))
    kinds = {k.value for k in Kind}
    assert {(k, d) for k in kinds for d in ("permit", "deny")} - outcomes <= {("detainee_access", "permit")}


def test_a_permit_releases_redacted_records_and_the_log_says_what(gateway: Running) -> None:
    response = gateway.post("FBI", BODIES["person"])
    assert response.status_code == 200
    answer = response.json()
    assert answer["decision"]["decision"] == "permit"
    assert set(answer["decision"]["redact"]) == vocabulary().leaves("status")  # every status category, the store's fields among them
    assert PROTECTED_FIELDS <= vocabulary().leaves("status")
    [record] = answer["result"]["records"]
    assert record["record_id"] == "P0000001" and record["fields"]["last_name"] == "Lopez"
    assert not PROTECTED_FIELDS & set(record["fields"])
    entry = log_entry(gateway, answer["log_index"])
    assert "disclosed" not in entry and "P0000001" not in json.dumps(entry)  # what was found is a fact about the person
    protected = gateway.gateway.log.get().reveal(answer["log_index"])
    assert protected["disclosed"] == [{"record_id": "P0000001", "fields": sorted(record["fields"])}]


def test_a_deny_releases_nothing(gateway: Running) -> None:
    body = {**BODIES["person"], "id": "t-ice", "purpose": {"text": "locate for deportation", "category": "civil_immigration"}}
    response = gateway.post("ICE-ERO", body)
    assert response.status_code == 403
    answer = response.json()
    assert answer["decision"]["decision"] == "deny" and "result" not in answer
    assert answer["decision"]["citations"] and answer["caveat"] == CAVEAT
    assert "disclosed" not in log_entry(gateway, answer["log_index"]) or not log_entry(gateway, answer["log_index"])["disclosed"]


def test_custody_inquiry_shows_only_the_topics_asked(gateway: Running) -> None:
    body = {
        "id": "t-custody",
        "kind": "custody_inquiry",
        "purpose": {"text": "homicide investigation", "category": "criminal"},
        "resource": {"fields": ["release_date"]},
        "subject": {"name": "Anh Nguyen", "dob": "1995-06-30"},
    }
    answer = gateway.post("USMS", body).json()
    assert answer["decision"]["decision"] == "permit"
    [booking] = answer["result"]["records"]
    assert set(booking["fields"]) == {"person_id", "in_custody", "release_date"}
    assert booking["fields"]["release_date"] == "2026-01-08"
    everything = gateway.post("USMS", {**body, "id": "t-custody-all", "resource": {}}).json()
    kinds = sorted(r["kind"] for r in everything["result"]["records"])
    assert kinds == ["booking", "contact"]


def test_a_clarification_and_an_agreement_release_no_record(gateway: Running) -> None:
    """Topic `warrant` alone (MCC 2-173-020(a)(3)) is answered in words, from no record; a permitted
    agreement says only that no rule bars it."""
    body = {
        "id": "t-clarify",
        "kind": "custody_inquiry",
        "purpose": {"text": "Is our NCIC entry for this person criminal or civil?"},
        "resource": {"fields": ["warrant"]},
        "subject": {"name": "Anh Nguyen", "dob": "1995-06-30"},
    }
    answer = gateway.post("ICE-ERO", body).json()
    assert answer["decision"]["decision"] == "permit" and {"release_date", "home_address"} <= set(answer["decision"]["redact"])
    assert not answer.get("result", {}).get("records")
    with_release = gateway.post("ICE-ERO", {**body, "id": "t-clarify-release", "resource": {"fields": ["warrant", "release_date"]}})
    assert with_release.status_code == 403
    agreement = {
        "id": "t-agree",
        "kind": "agreement",
        "purpose": {"text": "language services agreement for interviews", "category": "criminal"},
    }
    answer = gateway.post("FBI", agreement).json()
    assert answer["decision"]["decision"] == "permit" and "records" not in answer.get("result", {})


def test_plate_and_warrant_searches(gateway: Running) -> None:
    plate = {
        "id": "t-plate",
        "kind": "database_query",
        "purpose": {"text": "carjacking", "category": "criminal"},
        "resource": {"system": "ALPR", "search": {"type": "plate", "plate": "IL-DEMO123"}},
    }
    reads = gateway.post("ISP", plate).json()["result"]["records"]
    assert [r["record_id"] for r in reads] == ["R0000001", "R0000002", "R0000003", "R0000004"]
    [warrant] = gateway.post("FBI", BODIES["warrant"]).json()["result"]["records"]
    assert warrant["fields"]["judge"] == "Hon. Loretta Washington"


def test_decisions_can_be_looked_up_by_their_own_agency_and_oversight(gateway: Running) -> None:
    body = {**BODIES["warrant"], "id": "t-lookup"}
    sent = gateway.post("FBI", body).json()
    own = gateway.get("/v1/decisions/t-lookup", "FBI")
    assert own.status_code == 200
    assert own.json()["log_index"] == sent["log_index"] and "result" not in own.json()
    assert gateway.get("/v1/decisions/t-lookup", "ISP").status_code == 404
    assert gateway.get("/v1/decisions/t-lookup", "oversight").json()["decision"]["decision"] == "permit"
    assert gateway.get("/v1/decisions/t-lookup").status_code == 401


def test_checkpoint_proofs_and_tiles_verify_with_the_standalone_verifier(gateway: Running, tmp_path: Path) -> None:
    index = gateway.post("FBI", {**BODIES["warrant"], "id": "t-proof"}).json()["log_index"]
    vkey = parse_vkey((config.keys_dir() / "log.vkey").read_text())
    note = gateway.get("/v1/audit/checkpoint").text
    checkpoint = open_checkpoint(note, vkey)
    assert checkpoint.size > index
    proof = gateway.get(f"/v1/audit/proof/{index}?size={checkpoint.size}").json()
    entry = gateway.get(f"/v1/audit/entries/{index}").content
    assert base64.b64decode(proof["leaf_hash"]) == leaf_hash(entry)
    verify_inclusion(leaf_hash(entry), index, checkpoint.size, [base64.b64decode(p) for p in proof["proof"]], checkpoint.root)
    # fetch the published tiles over HTTP into a folder and verify it end to end
    size = int(gateway.get("/v1/audit/tiles/checkpoint").text.split("\n")[1])
    wanted = [tile_path("entries", n, w) for n, w in tiles_at(size)]
    level = 0
    while size >> (TILE_HEIGHT * level):
        wanted += [tile_path(level, n, w) for n, w in tiles_at(size >> (TILE_HEIGHT * level))]
        level += 1
    for rel in ["checkpoint", *wanted]:
        response = gateway.get(f"/v1/audit/tiles/{rel}")
        assert response.status_code == 200, rel
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(response.content)
    published, _ = verify_tiles(tmp_path, vkey)
    assert published.size == size
    escape = gateway.get("/v1/audit/tiles/%2e%2e/keys/log.key")
    assert escape.status_code == 404 and escape.json()["error"]["field"] == "path"
    beyond = gateway.get(f"/v1/audit/proof/{size + 5}")
    assert beyond.status_code == 404 and beyond.json()["error"]["field"] == "index"


def test_every_checkpoints_tiles_are_served_cacheable_and_bundles_gzipped(gateway: Running, tmp_path: Path) -> None:
    """tlog-tiles: the partial tiles of every checkpoint the log signed are served, whoever signed
    it (here one signed beside the gateway, as `sanctuary audit checkpoint` does)."""
    vkey = parse_vkey((config.keys_dir() / "log.vkey").read_text())
    gateway.post("FBI", {**BODIES["warrant"], "id": "t-tiles-1"})
    served = gateway.get("/v1/audit/checkpoint")
    assert served.headers["cache-control"] == "public, max-age=2"
    gateway.post("FBI", {**BODIES["warrant"], "id": "t-tiles-2"})
    beside = gateway.gateway.log.get().checkpoint()  # never fetched through the gateway
    gateway.post("FBI", {**BODIES["warrant"], "id": "t-tiles-3"})
    time.sleep(1.1)  # the gateway signs at most once a second
    notes = [served.text, beside, gateway.get("/v1/audit/tiles/checkpoint").text]
    assert len({open_checkpoint(n, vkey).size for n in notes}) == 3
    for i, note in enumerate(notes):
        size = open_checkpoint(note, vkey).size
        folder = tmp_path / f"as-of-{i}"
        wanted = [tile_path("entries", n, w) for n, w in tiles_at(size)]
        level = 0
        while size >> (TILE_HEIGHT * level):
            wanted += [tile_path(level, n, w) for n, w in tiles_at(size >> (TILE_HEIGHT * level))]
            level += 1
        for rel in wanted:
            response = httpx.get(f"{gateway.url}/v1/audit/tiles/{rel}", headers={"Accept-Encoding": "identity"}, timeout=30)
            assert response.status_code == 200, rel
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(response.content)
        (folder / "checkpoint").write_text(note)
        assert verify_tiles(folder, vkey)[0].size == size
    size = open_checkpoint(notes[-1], vkey).size
    bundle = tile_path("entries", *next(iter(tiles_at(size))))
    zipped = httpx.get(f"{gateway.url}/v1/audit/tiles/{bundle}", headers={"Accept-Encoding": "gzip"}, timeout=30)
    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["vary"] == "Accept-Encoding"
    plain = httpx.get(f"{gateway.url}/v1/audit/tiles/{bundle}", headers={"Accept-Encoding": "identity"}, timeout=30)
    assert "content-encoding" not in plain.headers and zipped.content == plain.content  # httpx decodes gzip
    for bad in ("tile/0/000.p/256", "tile/0/0", "tile/entries/999", "tile/9/000", "tile/0/000.p/0"):
        missing = gateway.get(f"/v1/audit/tiles/{bad}")
        assert missing.status_code == 404 and missing.json()["error"]["field"] == "path", bad


def test_health_and_metrics(gateway: Running) -> None:
    assert gateway.get("/healthz").json() == {"status": "ok"}
    ready = gateway.get("/readyz")
    body = ready.json()
    signing = body.pop("signing")
    assert ready.status_code == 200 and body == {
        "status": "ok",
        "checks": {"policy": "ok", "store": "ok", "log": "ok"},
        "since": {},
        "recording": True,
    }
    # one process on SQLite signs its own checkpoints; a replica on PostgreSQL holds the lease or not
    assert signing == {"signer": True} if "postgresql" not in gateway.log_url else signing["replica"]
    gateway.post("FBI", BODIES["warrant"])
    metrics = gateway.get("/metrics").text
    replica = socket.gethostname()  # the label that tells replicas and workers apart
    assert f'sanctuary_gateway_decisions_total{{channel="api",decision="permit",replica="{replica}",status="200"}}' in metrics
    assert "sanctuary_gateway_decision_seconds_count" in metrics
    assert httpx.get(f"{gateway.url}/openapi.json").json()["components"]["schemas"]["Request"]


def test_api_docs_work_on_a_closed_network(gateway: Running) -> None:
    """/docs loads Swagger UI from the gateway's own static files, never from a CDN."""
    page = gateway.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    for asset in ("/static/swagger-ui/swagger-ui-bundle.js", "/static/swagger-ui/swagger-ui.css"):
        assert asset in page.text
        assert gateway.get(asset).status_code == 200
