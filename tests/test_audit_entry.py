"""What an entry holds: canonical JSON, identifiers only as HMAC, clear text only through reveal."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import rfc8785

from audit_fixtures import DRIVERS, keys, log, log_url  # noqa: F401 - pytest fixtures
from sanctuary.audit import AuditError, DecisionLog
from sanctuary.audit.keys import hmac_key, pseudonym
from sanctuary.models import Decision, parse_request

pytestmark = pytest.mark.parametrize("log_url", DRIVERS, indirect=True)

REQUEST = {
    "id": "ICE-2019-ROE-77",
    "kind": "database_query",
    "requester": {"agency": "ICE-ERO", "officer": "Agent K. Doe"},
    "purpose": {"text": "locate Jane Roe", "case_number": "A-123-456-789", "category": "civil_immigration"},
    "resource": {"system": "CLEAR", "fields": ["name", "address"], "search": {"type": "person", "name": "Jane Roe", "dob": "1990-01-02"}},
    "subject": {"name": "Jane Roe", "dob": "1990-01-02", "person_id": "IR-555"},
    "documents": [{"type": "I-247A", "number": "DET-0042"}],
}
SECRETS = ["ICE-2019-ROE-77", "Agent K. Doe", "Jane Roe", "1990-01-02", "A-123-456-789", "IR-555", "DET-0042", "locate"]


def decision(decision: str = "deny", **extra: object) -> Decision:
    return Decision(
        id=REQUEST["id"],
        decision=decision,
        citations=["MCC 2-173-020(a)"],
        rules=["chicago-2021:020-a"],
        explanation="Denied.",
        profiles=["chicago-2021"],
        policy_hash="ab" * 32,
        requester="ICE-ERO",
        **extra,
    )


def test_entry_is_canonical_and_hides_identifiers(log: DecisionLog, keys: Path) -> None:
    request = parse_request(REQUEST)
    index = log.record(request, decision())
    data = log.entry(index)
    record = json.loads(data)
    assert rfc8785.dumps(record) == data
    for secret in SECRETS:
        assert secret.encode() not in data
    key = hmac_key(keys)
    assert record["identifiers"]["subject.name"] == pseudonym(key, "Jane Roe")
    assert record["identifiers"]["resource.search.name"] == record["identifiers"]["subject.name"]
    assert record["identifiers"]["documents.0.number"] == pseudonym(key, "DET-0042")
    assert record["request_sha256"] == hashlib.sha256(rfc8785.dumps(request.model_dump(mode="json"))).hexdigest()
    assert (record["requester"], record["kind"], record["decision"]) == ("ICE-ERO", "database_query", "deny")
    assert (record["citations"], record["rules"], record["profiles"]) == (["MCC 2-173-020(a)"], ["chicago-2021:020-a"], ["chicago-2021"])
    assert record["policy_hash"] == "ab" * 32 and record["documents"] == ["I-247A"]
    assert record["time"].endswith("Z") and "disclosed" not in record
    clear = log.reveal(index)
    assert clear["subject.name"] == "Jane Roe" and clear["id"] == "ICE-2019-ROE-77" and clear["documents.0.number"] == "DET-0042"


def test_disclosure_is_recorded(log: DecisionLog) -> None:
    request = parse_request({**REQUEST, "requester": {"agency": "ICE-HSI"}})
    shown = [{"record_id": "arrest-991", "fields": ["name", "arrests"]}]
    record = json.loads(log.entry(log.record(request, decision("permit"), shown)))
    assert record["disclosed"] == shown


def test_bad_records_are_refused_with_the_field(log: DecisionLog) -> None:
    request = parse_request(REQUEST)
    with pytest.raises(AuditError) as err:
        log.record(request, decision(), [{"record_id": 5, "fields": ["name"]}])
    assert err.value.field == "disclosed.0"
    with pytest.raises(AuditError) as err:
        log.record(request, decision().model_copy(update={"id": "other"}))
    assert err.value.field == "decision.id"
    assert log.size() == 0
