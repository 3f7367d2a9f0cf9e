"""What an entry holds: codes and vocabulary names only, keyed values unique to the entry, and the
rest in the protected record (clear text through reveal, linkable pseudonyms through keyed)."""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import Future
from pathlib import Path

import pytest
import rfc8785

from audit_fixtures import DRIVERS, keys, log, log_url  # noqa: F401 - pytest fixtures
from sanctuary.audit import AuditError, DecisionLog
from sanctuary.audit.entry import mac
from sanctuary.audit.keys import hmac_key, pseudonym
from sanctuary.models import Decision, Failure, Held, parse_request
from sanctuary.recording import EntryRecorder, canonical_request
from sanctuary.wakeups import batched

pytestmark = pytest.mark.parametrize("log_url", DRIVERS, indirect=True)

REQUEST = {
    "id": "ICE-2019-ROE-77",
    "kind": "database_query",
    "requester": {"agency": "ICE-ERO", "officer": "Agent K. Doe"},
    "on_behalf_of": "Jane Roe's cousin",
    "purpose": {"text": "locate Jane Roe", "case_number": "A-123-456-789", "category": "civil_immigration"},
    "resource": {
        "system": "CLEAR Jane Roe",
        "fields": ["home_address", "first_name", "SSN 123-45-6789"],
        "search": {"type": "person", "name": "Jane Roe", "dob": "1990-01-02"},
    },
    "subject": {"name": "Jane Roe", "dob": "1990-01-02", "person_id": "IR-555"},
    "documents": [{"type": "I-247A", "number": "DET-0042"}],
}
SECRETS = ["ICE-2019-ROE-77", "Agent K. Doe", "Jane Roe", "1990-01-02", "A-123-456-789", "IR-555", "DET-0042", "locate", "CLEAR", "123-45"]


def decision(decision: str = "deny", **extra: object) -> Decision:
    fields: dict = {
        "id": REQUEST["id"],
        "decision": decision,
        "citations": ["MCC 2-173-020(a)"],
        "rules": ["chicago-2021:020-a"],
        "explanation": "Denied: Jane Roe.",
        "profiles": ["chicago-2021"],
        "policy_hash": "ab" * 32,
        "requester": "ICE-ERO",
    }
    return Decision(**{**fields, **extra})


def test_entry_is_canonical_and_copies_no_free_text(log: DecisionLog, keys: Path) -> None:
    request = parse_request(REQUEST)
    index = EntryRecorder(log).record(
        request, decision(error="requester.agency: unregistered requester: 'Jane Roe'", failure=Failure.unregistered)
    )
    data = log.entry(index)
    record = json.loads(data)
    assert rfc8785.dumps(record) == data
    for secret in SECRETS:
        assert secret.encode() not in data, secret
    key = hmac_key(keys)
    assert record["request_hmac"] == mac(key, "request", canonical_request(request))
    assert (record["requester"], record["kind"], record["decision"], record["failure"]) == (
        "ICE-ERO",
        "database_query",
        "deny",
        "unregistered",
    )
    assert (record["citations"], record["rules"], record["profiles"]) == (["MCC 2-173-020(a)"], ["chicago-2021:020-a"], ["chicago-2021"])
    assert record["resource"] == {"fields": ["home_address", "first_name"], "search": "person"}
    assert record["documents"] == ["I-247A"] and record["purpose_category"] == "civil_immigration"
    assert record["not_copied"] == {
        "documents.number": 1,
        "id": 1,
        "on_behalf_of": 1,
        "purpose.case_number": 1,
        "purpose.text": 1,
        "requester.agency": 1,
        "requester.officer": 1,
        "resource.fields": 1,
        "resource.search.dob": 1,
        "resource.search.name": 1,
        "resource.system": 1,
        "subject.dob": 1,
        "subject.name": 1,
        "subject.person_id": 1,
    }
    assert record["time"].endswith("Z") and "identifiers" not in record and "disclosed" not in record
    protected = log.reveal(index)
    assert protected["subject.name"] == "Jane Roe" and protected["id"] == "ICE-2019-ROE-77"
    assert protected["resource.fields.2"] == "SSN 123-45-6789" and "Jane Roe" in protected["error"]
    keyed = log.keyed(index)
    assert keyed["subject.name"] == keyed["resource.search.name"] == pseudonym(key, "Jane Roe")
    assert "Jane" not in json.dumps(keyed) and log.sealed_ok(index)


def test_no_pseudonym_links_two_entries_about_one_person(log: DecisionLog) -> None:
    def entry_for(changes: dict) -> dict:
        raw = json.loads(json.dumps(REQUEST).replace("Jane Roe", changes.pop("name", "Jane Roe")))
        request = parse_request({**raw, **changes})
        return json.loads(log.entry(EntryRecorder(log).record(request, decision(id=request.id))))

    first, same_person, other_person = entry_for({}), entry_for({"id": "ICE-2019-ROE-78"}), entry_for({"id": "ICE-3", "name": "Ann Poe"})
    unique = ("time", "request_hmac", "sealed")
    assert {k: v for k, v in same_person.items() if k not in unique} == {k: v for k, v in other_person.items() if k not in unique}
    for key in ("request_hmac", "sealed"):
        assert len({first[key], same_person[key], other_person[key]}) == 3
    again = entry_for({})
    assert again["request_hmac"] == first["request_hmac"] and again["sealed"] != first["sealed"]  # the same request, not the same person


def test_disclosure_is_protected_and_sealed(log: DecisionLog, log_url: str) -> None:
    from audit_fixtures import execute

    request = parse_request({**REQUEST, "requester": {"agency": "ICE-HSI"}})
    shown = [{"record_id": "P0000001", "fields": ["first_name", "last_name"]}]
    index = EntryRecorder(log).record(request, decision("permit", redact=["immigration_status", "Jane Roe"]), shown)
    data = log.entry(index)
    record = json.loads(data)
    assert b"P0000001" not in data and "disclosed" not in record
    assert record["redact"] == ["immigration_status"] and record["not_copied"]["decision.redact"] == 1
    assert log.reveal(index)["disclosed"] == shown and log.keyed(index)["disclosed.0.record_id"] == pseudonym(log.hmac_key(), "P0000001")
    assert log.sealed_ok(index)
    log.append(b"a raw entry, no seal")
    assert log.verify_sealed().ok and "1 entries carry no seal" in log.verify_sealed().message
    execute(log_url, "UPDATE clear SET fields = ? WHERE idx = ?", (json.dumps({**log.reveal(index), "disclosed": []}), index))
    assert not log.sealed_ok(index)  # the protected record was changed behind the log's back
    result = log.verify_sealed()
    assert not result.ok and result.first_bad_index == index


def test_held_is_a_code_and_its_reference_protected(log: DecisionLog) -> None:
    held = Held(reason="verification_required", reference="desk-Jane-Roe", lifts=["chicago-2021:020-a"])
    index = EntryRecorder(log).record(parse_request(REQUEST), decision(held=held))
    record = json.loads(log.entry(index))
    ref = mac(log.hmac_key(), "held", b"desk-Jane-Roe")
    assert record["held"] == {"reason": "verification_required", "lifts": ["chicago-2021:020-a"], "ref": ref}
    assert log.reveal(index)["held.reference"] == "desk-Jane-Roe" and b"desk-" not in log.entry(index)
    resolution = json.loads(log.entry(EntryRecorder(log).record(parse_request(REQUEST), decision("permit", resolves="desk-Jane-Roe"))))
    assert resolution["resolves"] == ref, "the resolving decision names the held one by the same keyed reference"


def test_a_hold_for_review_is_recorded_with_its_evidence(log: DecisionLog) -> None:
    held = Held(reason="needs_review", reference="H-0123456789abcdef", evidence=["normalised:bidi"])
    index = EntryRecorder(log).record(parse_request(REQUEST), decision(held=held))
    assert json.loads(log.entry(index))["held"]["reason"] == "needs_review"
    assert log.reveal(index)["held.evidence"] == ["normalised:bidi"]
    facts = decision(claims=["subject.felony_conviction"], facts_source="records store: subject found", judged_as=["ICE-ERO", "ICE-HSI"])
    data = log.entry(EntryRecorder(log).record(parse_request(REQUEST), facts))
    assert b"felony" not in data and b"subject found" not in data and json.loads(data)["judged_as"] == ["ICE-ERO", "ICE-HSI"]


def test_refusal_keeps_only_a_keyed_hash_and_a_code(log: DecisionLog) -> None:
    raw = b'{"id":"bad-Jane-Roe","kind":"database_query","requester":{"agency":"FBI"},"ssn":"123-45-6789"}'
    refusal = decision(id="bad-Jane-Roe", error="ssn: unknown field '123-45-6789'", citations=["Fail closed"], rules=[])
    index = EntryRecorder(log).record_refusal(raw, refusal)
    data = log.entry(index)
    record = json.loads(data)
    assert b"Jane" not in data and b"123-45" not in data and b"ssn" not in data
    assert record["kind"] == "refused" and record["failure"] == "input" and record["request_hmac"] == mac(log.hmac_key(), "request", raw)
    assert log.reveal(index)["id"] == "bad-Jane-Roe" and log.sealed_ok(index)


def test_bad_records_are_refused_with_the_field(log: DecisionLog) -> None:
    request = parse_request(REQUEST)
    with pytest.raises(AuditError) as err:
        EntryRecorder(log).record(request, decision(), [{"record_id": 5, "fields": ["name"]}])
    assert err.value.field == "disclosed.0"
    with pytest.raises(AuditError) as err:
        EntryRecorder(log).record(request, decision().model_copy(update={"id": "other"}))
    assert err.value.field == "decision.id"
    assert log.size() == 0


def _held_commit(log: DecisionLog, monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Make the store's next append wait for `release` (and say, through `started`, that it waits),
    so what is queued meanwhile is committed together afterwards, as the next batch: the held append
    gathers nothing into its own (`gather`, which lets processes sharing a log join batches)."""
    started, release = threading.Event(), threading.Event()
    append = log._store.append

    def held(entries, clears, follow=None, gather=None):  # type: ignore[no-untyped-def]
        if not release.is_set():
            started.set()
            release.wait(10)
        return append(entries, clears, follow)

    monkeypatch.setattr(log._store, "append", held)
    return started, release


def test_record_later_settles_each_decision_when_its_batch_is_durable(log: DecisionLog, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decisions queued while a commit runs are built and committed together by the committer; each
    future holds its own index once durable, and an entry that cannot be built fails alone."""
    request = parse_request(REQUEST)
    started, release = _held_commit(log, monkeypatch)
    first = EntryRecorder(log).record_later(request, decision())
    assert started.wait(10)
    good = EntryRecorder(log).record_later(request, decision("permit"))
    bad = EntryRecorder(log).record_later(request, decision().model_copy(update={"id": "other"}))
    last = EntryRecorder(log).record_later(request, decision())
    assert not any(f.done() for f in (first, good, bad, last))  # nothing is durable yet: nothing is settled
    release.set()
    assert [first.result(10), good.result(10), last.result(10)] == [0, 1, 2]
    with pytest.raises(AuditError) as err:
        bad.result(10)
    assert err.value.field == "decision.id"
    assert json.loads(log.entry(1))["decision"] == "permit" and log.size() == 3


def _queued_behind_a_held_commit(
    log: DecisionLog, monkeypatch: pytest.MonkeyPatch, n: int
) -> tuple[threading.Event, Future[int], list[Future[int]]]:
    """One decision whose commit waits for `release`, and `n` queued behind it (the next batch)."""
    request = parse_request(REQUEST)
    started, release = _held_commit(log, monkeypatch)
    first = EntryRecorder(log).record_later(request, decision())
    assert started.wait(10)
    return release, first, [EntryRecorder(log).record_later(request, decision()) for _ in range(n)]


def test_an_event_loop_waiting_on_a_batch_is_woken_once_when_all_of_it_is_durable(
    log: DecisionLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gateway's event loop waits for each request's entry (`wakeups.batched`); the committer
    settles a batch of them with one wake-up of the loop, once every entry in it is durable, not one
    a request (`asyncio.wrap_future`: a call_soon_threadsafe for each)."""
    release, first, queued = _queued_behind_a_held_commit(log, monkeypatch, 5)

    async def wait_for_all() -> list[int]:
        loop = asyncio.get_running_loop()
        wakes: list[int] = []  # at each wake-up of the loop from another thread: how many of `queued` are settled
        call_soon_threadsafe = loop.call_soon_threadsafe

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            wakes.append(sum(f.done() for f in queued))
            return call_soon_threadsafe(*args, **kwargs)

        monkeypatch.setattr(loop, "call_soon_threadsafe", counted)
        waiting = [batched(f) for f in (first, *queued)]
        release.set()
        indices = await asyncio.gather(*waiting)
        assert wakes == [0, 5]  # the held commit's, then one for the batch of five, once all are settled
        return indices

    assert asyncio.run(wait_for_all()) == [0, 1, 2, 3, 4, 5] and log.size() == 6


def test_a_loop_waiting_on_a_failed_batch_gets_every_error_and_no_waiter_cancels_an_entry(
    log: DecisionLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed commit reaches every waiter on the loop as its error; a waiter given up (the
    gateway's deadline) leaves the entry queued, and the committer settles the rest of its batch."""
    release, first, queued = _queued_behind_a_held_commit(log, monkeypatch, 3)

    async def wait_for_all() -> list[object]:
        waiting = [batched(f) for f in (first, *queued)]
        waiting[1].cancel()  # its caller gave up waiting: the entry is still committed
        monkeypatch.setattr(
            log._store, "append", lambda entries, clears, follow=None, gather=None: (_ for _ in ()).throw(OSError("disk full"))
        )
        release.set()
        return await asyncio.wait_for(asyncio.gather(waiting[0], *waiting[2:], return_exceptions=True), 10)

    index, *errors = asyncio.run(wait_for_all())
    assert index == 0 and not queued[0].cancelled()
    for error in errors:
        assert isinstance(error, AuditError) and error.field == "log" and "disk full" in error.reason
    with pytest.raises(AuditError):
        queued[0].result(10)


def test_a_failed_commit_fails_every_decision_in_it(log: DecisionLog, monkeypatch: pytest.MonkeyPatch) -> None:
    release, first, queued = _queued_behind_a_held_commit(log, monkeypatch, 3)
    monkeypatch.setattr(log._store, "append", lambda entries, clears, follow=None, gather=None: (_ for _ in ()).throw(OSError("disk full")))
    release.set()
    assert first.result(10) == 0  # committed before the disk filled
    for future in queued:
        with pytest.raises(AuditError) as err:
            future.result(10)
        assert err.value.field == "log" and "disk full" in err.value.reason
    assert log.size() == 1


def test_what_is_queued_while_a_commit_waits_for_the_lock_joins_that_commit(log: DecisionLog, monkeypatch: pytest.MonkeyPatch) -> None:
    """Processes sharing one log batch as one process does: what was queued while the committer
    waited for the log's write lock is gathered into its batch once the lock is held (one append)."""
    request = parse_request(REQUEST)
    started, release = threading.Event(), threading.Event()
    append, calls = log._store.append, []

    def waiting_for_the_lock(entries, clears, follow=None, gather=None):  # type: ignore[no-untyped-def]
        calls.append(len(entries))
        if not release.is_set():
            started.set()
            release.wait(10)
        return append(entries, clears, follow, gather)

    monkeypatch.setattr(log._store, "append", waiting_for_the_lock)
    first = EntryRecorder(log).record_later(request, decision())
    assert started.wait(10)
    queued = [EntryRecorder(log).record_later(request, decision()) for _ in range(3)]
    release.set()
    assert [first.result(10), *(f.result(10) for f in queued)] == [0, 1, 2, 3]
    assert calls == [1] and log.size() == 4  # one append: the three joined the waiting commit
