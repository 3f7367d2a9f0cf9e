"""The request desk: a request that arrived by phone, e-mail or in person, typed into a form.

`build_request` turns the form into a request of the public contract (models.py); nothing here
decides anything: the page hands the request to the gateway's one way in (`Gateway.submit`, the one
pipeline), exactly as if it had come through the API with a desk key. `advice` turns the
decision into plain words and what to say to the requester, from the deciding rules' annotations.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sanctuary.errors import SanctuaryError
from sanctuary.models import DOCUMENT_TYPES, Failure, Kind
from sanctuary.policy.categories import vocabulary
from sanctuary.policy.engine import PolicyEngine
from sanctuary.policy.facts import CUSTODY_TOPICS
from sanctuary.screening.documents import MAX_FILE_BYTES, DocumentError, read_text

CHANNELS = {"phone": "Telephone", "email": "E-mail", "in_person": "In person"}
KINDS = [k.value for k in Kind]
KIND_CHOICES = [
    ("custody_inquiry", "Inquiry: custody status, release date or contact information"),
    ("custody_transfer", "Custody transfer: hand a person over"),
    ("detention_hold", "Hold a person past release (detainer)"),
    ("detainee_access", "Access to or interview of a person in custody"),
    ("operational_support", "Support for an operation (traffic perimeter, on-site)"),
    ("database_query", "Database request (records, plates)"),
]
CATEGORIES = {"": "Not stated", "criminal": "Criminal", "civil_immigration": "Civil immigration", "other": "Other"}
CARVEOUT_FIELDS = {
    "outstanding_criminal_warrant": "Has an outstanding criminal warrant",
    "felony_conviction": "Has a felony conviction",
    "pending_felony_charge": "Has a pending felony charge",
    "gang_database": "Is listed in a gang database",
    "gang_admission": "Admitted gang membership",
}
SEARCH_CHOICES = [
    ("", "None"),
    ("person", "Person"),
    ("plate", "Plate"),
    ("warrant", "Warrant"),
    ("custody", "Custody"),
    ("contact", "Contact"),
]
OPERATION_CHOICES = [
    ("", "Not a support request"),
    ("traffic_perimeter", "Traffic perimeter"),
    ("on_site_support", "On-site support"),
    ("other", "Other"),
]
CIVIL_CHOICES = [("", "Unknown / not said"), ("yes", "Yes"), ("no", "No")]
DOCUMENT_CHOICES = [("", "No document"), *((t, t.replace("_", " ")) for t in DOCUMENT_TYPES)]
DOCUMENT_SLOTS = (1, 2)
# The sections of the form each kind of request needs (the agency and the kind come first).
SECTIONS = {
    "custody_inquiry": ("purpose", "subject", "topics", "documents"),
    "custody_transfer": ("purpose", "subject", "documents"),
    "detention_hold": ("purpose", "subject", "documents"),
    "detainee_access": ("purpose", "subject", "documents"),
    "operational_support": ("purpose", "operation", "documents"),
    "database_query": ("purpose", "subject", "database", "documents"),
}
OUTCOME_WORDS = {
    "permit": ("ALLOWED", "The law allows this request. Share only what is released below."),
    "deny": ("REFUSED", "The law does not allow this request. Share nothing and do nothing for it."),
    "held": ("ON HOLD", "Nothing may be shared yet: a document must be verified, or the request reviewed, first."),
}
FIELD_LABELS = {
    "channel": "Arrived by",
    "kind": "Kind of request",
    "requester.agency": "Requesting agency (as given)",
    "requester.officer": "Requesting officer",
    "on_behalf_of": "On behalf of",
    "purpose.text": "Stated purpose",
    "purpose.category": "Purpose category (declared)",
    "purpose.case_number": "Case number",
    "subject.name": "Person: name",
    "subject.dob": "Person: date of birth",
    "subject.person_id": "Person: department id",
    "resource.fields": "Topics or fields asked for",
    "resource.system": "System",
    "resource.search.type": "Search",
    "resource.search.plate": "Plate",
    "operation.type": "Kind of support",
    "operation.civil_immigration": "Civil immigration operation",
}


class FormError(SanctuaryError, ValueError):
    """A form field that cannot be used; `field` is the form field's name."""


# Contract fields (models.py) that the form names differently; the rest map by "." -> "_".
_FORM_NAMES = {
    "requester.agency": "agency",
    "requester.officer": "officer",
    "purpose.text": "purpose_text",
    "purpose.case_number": "case_number",
    "purpose.category": "purpose_category",
    "resource.system": "system",
    "resource.fields": "fields",
    "subject": "subject_name",
}


def form_name(field: str) -> str:
    """The form control behind a field named in an error (a form name or a contract path)."""
    return _FORM_NAMES.get(field, field.replace(".", "_"))


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _choice(form: Mapping[str, Any], name: str, allowed: Any) -> str:
    value = _text(form, name)
    if value not in allowed:
        raise FormError(name, f"{value[:40]!r} is not one of the choices")
    return value


def request_id(channel: str, now: datetime | None = None) -> str:
    when = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
    return f"desk-{channel}-{when}-{secrets.token_hex(3)}"


def build_request(form: Mapping[str, Any], topics: list[str], document_texts: Mapping[int, str]) -> dict[str, Any]:
    """The request (a dict for `parse_request`) the desk form describes; FormError names a bad field.

    `form` maps field names to strings (checkboxes: present or not); `topics` are the custody topics
    ticked; `document_texts` holds the text read from each uploaded document, by slot.
    """
    channel = _choice(form, "channel", CHANNELS)
    kind = _choice(form, "kind", KINDS)
    agency = _text(form, "agency")
    if not agency:
        raise FormError("agency", "name the agency that made the request")
    request: dict[str, Any] = {"id": request_id(channel), "kind": kind, "requester": {"agency": agency}}
    if officer := _text(form, "officer"):
        request["requester"]["officer"] = officer
    if on_behalf := _text(form, "on_behalf_of"):
        request["on_behalf_of"] = on_behalf
    purpose = {
        k: v
        for k, v in (
            ("text", _text(form, "purpose_text")),
            ("case_number", _text(form, "case_number")),
            ("category", _choice(form, "purpose_category", CATEGORIES)),
        )
        if v
    }
    if purpose:
        request["purpose"] = purpose
    subject: dict[str, Any] = {k: v for k in ("name", "dob", "person_id") if (v := _text(form, f"subject_{k}"))}
    subject.update({k: True for k in CARVEOUT_FIELDS if form.get(f"subject_{k}")})
    if subject:
        request["subject"] = subject
    resource = _resource(form, kind, topics)
    if resource:
        request["resource"] = resource
    if kind == "operational_support":
        request["operation"] = _operation(form)
    documents = [_document(form, slot, document_texts.get(slot)) for slot in DOCUMENT_SLOTS]
    if docs := [d for d in documents if d]:
        request["documents"] = docs
    return request


def _resource(form: Mapping[str, Any], kind: str, topics: list[str]) -> dict[str, Any]:
    if kind == "custody_inquiry":
        unknown = set(topics) - set(CUSTODY_TOPICS)
        if unknown:
            raise FormError("topics", f"unknown topic(s) {sorted(unknown)}")
        return {"fields": topics} if topics else {}
    if kind != "database_query":
        return {}
    resource: dict[str, Any] = {}
    if system := _text(form, "system"):
        resource["system"] = system
    if fields := [f.strip() for f in _text(form, "fields").split(",") if f.strip()]:
        resource["fields"] = fields
    search_type = _choice(form, "search_type", dict(SEARCH_CHOICES))
    if search_type:
        search: dict[str, str] = {"type": search_type}
        if search_type == "plate":
            plate = _text(form, "search_plate")
            if not plate:
                raise FormError("search_plate", "a plate search needs the plate")
            search["plate"] = plate
        resource["search"] = search
    return resource


def _operation(form: Mapping[str, Any]) -> dict[str, Any]:
    op_type = _choice(form, "operation_type", dict(OPERATION_CHOICES))
    if not op_type:
        raise FormError("operation_type", "say what kind of support is asked for")
    civil = _choice(form, "operation_civil", dict(CIVIL_CHOICES))
    operation: dict[str, Any] = {"type": op_type}
    if civil:
        operation["civil_immigration"] = civil == "yes"
    return operation


def _document(form: Mapping[str, Any], slot: int, text: str | None) -> dict[str, Any] | None:
    prefix = f"doc{slot}_"
    doc_type = _choice(form, prefix + "type", dict(DOCUMENT_CHOICES))
    if not doc_type:
        if text:
            raise FormError(prefix + "type", "say what kind of document was uploaded")
        return None
    doc: dict[str, Any] = {"type": doc_type}
    for name in ("number", "court", "signed_by", "signer_title"):
        if value := _text(form, prefix + name):
            doc[name] = value
    if text:
        doc["text"] = text
    return doc


def document_text(data: bytes, field: str) -> str:
    """The text of an uploaded document (PDF or text), through the screening reader (its bounds)."""
    if len(data) > MAX_FILE_BYTES:
        raise FormError(field, f"the file is {len(data)} bytes; the limit is {MAX_FILE_BYTES}")
    with tempfile.TemporaryDirectory(prefix="sanctuary-desk-") as folder:
        path = Path(folder) / "upload"
        path.write_bytes(data)
        try:
            return read_text(path)[:100_000]
        except DocumentError as exc:
            raise FormError(field, exc.reason.replace(str(path), "the file")) from None


def ambiguity(registry: Any, given: str) -> str | None:
    """A warning when the caller's agency is a parent of others (DHS, "Homeland Security") or unknown."""
    if not given:
        return None
    agency = registry.resolve(given)
    if agency is None:
        return (
            f"“{given}” is not in the agency registry. The request will be refused as unregistered: ask for the "
            "agency's full name or ORI, and a number to call back."
        )
    units = [a.id for a in sorted((a for a in registry if agency.id in a.ancestors), key=lambda a: (len(a.ancestors), a.id))]
    if not units:
        return None
    shown = ", ".join(units[:6]) + (", ..." if len(units) > 6 else "")
    return (
        f"“{given}” names {agency.name}, which has {len(units)} units ({shown}). The caller's identity is ambiguous: the "
        "rules read it the most restrictive way. Ask which unit and officer is calling, and a number to call back."
    )


def as_entered(request: dict[str, Any], channel: str) -> list[tuple[str, str]]:
    """The request as entered, as (label, value) lines for the printed record."""
    lines = [("Arrived by", CHANNELS[channel])] if channel in CHANNELS else []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
        elif prefix in ("id", "documents"):
            return
        else:
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            if prefix == "kind":
                shown = dict(KIND_CHOICES).get(shown, shown)
            elif prefix == "resource.fields":
                shown = ", ".join(str(v).replace("_", " ").capitalize() for v in value)
            if prefix.startswith("subject.") and prefix not in FIELD_LABELS:
                prefix_label = CARVEOUT_FIELDS.get(prefix.split(".", 1)[1], prefix)
                lines.append((prefix_label, "yes"))
                return
            lines.append((FIELD_LABELS.get(prefix, prefix.replace("_", " ")), shown))

    walk("", {k: v for k, v in request.items() if k != "documents"})
    for i, doc in enumerate(request.get("documents") or [], start=1):
        details = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in doc.items() if k not in ("type", "text"))
        uploaded = " (file read)" if doc.get("text") else ""
        lines.append((f"Document {i}", f"{str(doc['type']).replace('_', ' ')}{'; ' + details if details else ''}{uploaded}"))
    return lines


@dataclass(frozen=True)
class Clause:
    citation: str
    explain: str
    rule: str


@dataclass(frozen=True)
class Advice:
    clauses: list[Clause]
    say: str  # what the desk officer tells the requester


def plain_category(name: str) -> str:
    """A data category's title (categories.toml), or its name in words."""
    found = vocabulary().categories.get(name)
    return found.title if found else name.replace("_", " ").capitalize()


def advice(decision: dict[str, Any], engine: PolicyEngine | None, agency_name: str) -> Advice:
    """Plain words for a decision (the deciding rules' own @explain text) and what to say."""
    rules = engine.rules if engine is not None else {}
    clauses = [Clause(rules[r].citation, rules[r].explain, r) for r in decision.get("rules", []) if r in rules]
    index = decision.get("log_index")
    recorded = f" The request is recorded in the department's decision log as number {index}." if index is not None else ""
    if decision["decision"] == "permit":
        withheld = [plain_category(c) for c in decision.get("redact") or []]
        held = f" These items are withheld by law: {', '.join(withheld)}." if withheld else ""
        say = (
            f"The department can act on this request from {agency_name}.{held}{recorded} What is released is for "
            "criminal law enforcement only and may not be used for civil immigration enforcement."
        )
    elif decision.get("held"):
        say = (
            f"The department cannot act on this request from {agency_name} yet: the document it rests on must first be "
            f"verified with whoever issued it.{recorded} Nothing has been done or handed out; you will be called back "
            "once it is verified."
        )
    elif decision.get("failure") == Failure.unregistered:
        say = (
            f"The department acts only on requests from agencies in its registry, and {agency_name} is not one "
            f"of them.{recorded} Nothing has been done or handed out."
        )
    elif decision.get("error") and not clauses:
        say = (
            f"The department cannot act on this request as it stands: {decision['error']}.{recorded} "
            "Nothing has been done or handed out. Please send the request again with the missing information, "
            "or in writing."
        )
    else:
        why = " ".join(c.explain for c in clauses[:2]) or decision.get("explanation", "")
        cites = ", ".join(dict.fromkeys(c.citation for c in clauses)) or ", ".join(decision.get("citations", []))
        say = (
            f"The Chicago Police Department will not do this. {why} This is required by {cites}.{recorded} "
            "Nothing has been done or handed out."
        )
    return Advice(clauses, say)
