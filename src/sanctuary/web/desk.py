"""The request desk: a request that arrived by phone, e-mail or in person, typed into a form.

`build_request` turns the form into a request of the public contract (models.py); nothing here
decides anything: the page hands the request to the gateway's one way in (`Gateway.submit`, the one
pipeline), exactly as if it had come through the API with a desk key. `script` turns the decision
into what the officer reads out to the caller (two sentences at most) and the rest, below it, from
the deciding rules' own annotations; `record_fields` lays a released record out as labelled fields.

Every word shown is an English msgid (marked `N_`), put in the reader's language where it is shown
(`Words`): the desk follows the officer's language like every other page.
"""

from __future__ import annotations

import re
import secrets
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date

from sanctuary.errors import SanctuaryError
from sanctuary.models import CARVEOUT_FIELDS as SUBJECT_CARVEOUTS
from sanctuary.models import DOCUMENT_TYPES, OPERATION_TYPES, PURPOSE_CATEGORIES, SEARCH_TYPES, SELF, Failure, Kind
from sanctuary.policy.categories import vocabulary
from sanctuary.policy.engine import DEFAULT_DENY, PolicyEngine
from sanctuary.policy.facts import TOPICS
from sanctuary.screening.documents import MAX_FILE_BYTES, DocumentError, read_text
from sanctuary.web import i18n, labels
from sanctuary.web.i18n import N_
from sanctuary.web.laws import Clause, clauses

Words = Callable[[str], str]  # a catalog's gettext: an English msgid -> the reader's words

CHANNELS = {"phone": N_("Telephone"), "email": N_("E-mail"), "in_person": N_("In person")}
KINDS = [k.value for k in Kind]
# What the desk offers for each kind of request (models.Kind), in the order the form offers them (an
# inquiry, the most frequent at a desk, first: the radio group's first stop): its words, and the
# sections of the form it needs (the agency and the kind come first). Every kind of the contract, no other.
_DESK_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "custody_inquiry": (N_("Inquiry: custody status, release date or contact information"), ("purpose", "subject", "topics", "documents")),
    "custody_transfer": (N_("Custody transfer: hand a person over"), ("purpose", "subject", "documents")),
    "detention_hold": (N_("Hold a person past release (detainer)"), ("purpose", "subject", "documents")),
    "detainee_access": (N_("Access to or interview of a person in custody"), ("purpose", "subject", "documents")),
    "operational_support": (N_("Support for an operation (traffic perimeter, on-site)"), ("purpose", "operation", "documents")),
    "database_query": (N_("Database request (records, plates)"), ("purpose", "subject", "database", "documents")),
    "agreement": (N_("Agreement: 287(g), direct access to a database, data sharing"), ("purpose", "database", "documents")),
}
if set(_DESK_KINDS) != set(KINDS):
    raise SanctuaryError("kind", f"the desk offers {sorted(_DESK_KINDS)}, the contract's kinds are {sorted(KINDS)}")
KIND_CHOICES = [(kind, words) for kind, (words, _) in _DESK_KINDS.items()]
SECTIONS = {kind: sections for kind, (_, sections) in _DESK_KINDS.items()}
CATEGORIES = {category: labels.PURPOSES[category] for category in ("", *PURPOSE_CATEGORIES)}  # "": not stated
CARVEOUT_LABELS = {
    "outstanding_criminal_warrant": N_("Has an outstanding criminal warrant"),
    "felony_conviction": N_("Has a felony conviction"),
    "pending_felony_charge": N_("Has a pending felony charge"),
    "gang_database": N_("Is listed in a gang database"),
    "gang_admission": N_("Admitted gang membership"),
    "outstanding_civil_warrant_only": N_("Only outstanding warrant is civil (body attachment, civil contempt)"),
    "felony_conviction_foreign_court_only": N_("Every felony conviction is a foreign court's"),
    "juvenile_felony_adjudication_only": N_("Only record is a juvenile adjudication for a felony-grade offence"),
    "pending_misdemeanor_charge": N_("Pending case on misdemeanor charges only"),
    "real_id_applicant": N_("Applied for a license meeting federal standards (REAL ID)"),
    "trusted_traveler_applicant": N_("Seeks acceptance into a trusted traveler program"),
    "conviction_serious_or_violent_felony": N_("Convicted of a serious or violent felony (Cal. §7282.5(a)(1))"),
    "conviction_state_prison_felony": N_("Convicted of a felony punishable in state prison (Cal. §7282.5(a)(2))"),
    "conviction_listed_offense_felony_within_15y": N_("Felony conviction for a listed offense in the last 15 years (Cal. §7282.5(a)(3))"),
    "conviction_listed_offense_wobbler_misdemeanor_within_5y": N_(
        "Misdemeanor conviction for a listed wobbler in the last 5 years (Cal. §7282.5(a)(3))"
    ),
    "misdemeanor_conviction": N_("Has a misdemeanor conviction"),
    "sex_arson_registrant": N_("Current registrant on the California Sex and Arson Registry"),
    "conviction_federal_aggravated_felony": N_("Convicted of a federal aggravated felony (8 U.S.C. 1101(a)(43))"),
    "ice_identified_federal_felony_warrant": N_("Identified by ICE as subject of a federal felony arrest warrant"),
    "held_to_answer_on_qualifying_felony": N_(
        "Probable cause found by a magistrate on a serious, violent or state-prison felony charge (Cal. §7282.5(b))"
    ),
    "prop47_reduced_misdemeanor": N_("Convicted of a misdemeanor reduced by Proposition 47 (Cal. §7282.5(a)(6))"),
    "arrested_for_prop47_misdemeanor": N_("Arrested or detained for a misdemeanor reduced by Proposition 47 (Cal. §7282.5(a)(6))"),
    "reentry_1326b2": N_("Reasonable suspicion of 8 U.S.C. 1326(a) re-entry subject to the (b)(2) enhancement"),
    "detected_during_unrelated_activity": N_("Detected during an unrelated law enforcement activity (Cal. §7284.6(b)(1))"),
    "on_community_custody": N_("Is on community custody (Washington)"),
    "in_doc_physical_custody": N_("Is in the physical custody of the Department of Corrections (Washington)"),
    "written_interview_consent": N_("Consented in writing to an interview, after the oral explanation and the consent form"),
}
CARVEOUT_FIELDS = {name: CARVEOUT_LABELS[name] for name in SUBJECT_CARVEOUTS}  # the Subject model's: a field without a label fails here
SEARCH_CHOICES = [("", N_("None")), *((t, labels.SEARCHES[t]) for t in SEARCH_TYPES)]
OPERATION_LABELS = {"traffic_perimeter": N_("Traffic perimeter"), "on_site_support": N_("On-site support"), "other": N_("Other")}
OPERATION_CHOICES = [("", N_("Not a support request")), *((t, OPERATION_LABELS[t]) for t in OPERATION_TYPES)]
CIVIL_CHOICES = [("", N_("Unknown / not said")), ("yes", N_("Yes")), ("no", N_("No"))]
CRIMINAL_CHOICES = [("", N_("Not said / not known")), ("yes", N_("Yes: it names a crime")), ("no", N_("No"))]
DOCUMENT_CHOICES = [("", N_("No document")), *((t, labels.DOCUMENTS[t]) for t in DOCUMENT_TYPES)]
DOCUMENT_SLOTS = (1, 2)
# A person asking for her own records (requester models.SELF; docs/requests.md): no agency, the
# person herself at the counter. The desk checks her identification against the records; what it
# looked at is the desk's statement, recorded with the signed-in desk user who vouches for the check.
SELF_WORDS = N_("The person herself, asking for her own records (identity checked at the desk)")
ID_DOCUMENTS = {
    "driver_license": N_("Driver license"),
    "non_driver_id": N_("Non-driver photo ID card"),
    "passport": N_("Passport"),
    "other_photo_id": N_("Other government photo ID"),
}
ID_CHOICES = [("", N_("Choose the identification you checked")), *ID_DOCUMENTS.items()]
IN_PERSON = N_("a person asking for her own records is at the counter: her identification is checked in person")
# The outcome at a glance: the word, the symbol beside it (shape as well as colour), what to do.
OUTCOMES = {
    "permit": (N_("ALLOWED"), "✓", N_("The law allows this request. Share only what is listed below.")),
    "deny": (N_("REFUSED"), "✕", N_("The law does not allow this request. Share nothing and do nothing for it.")),
    "held": (N_("ON HOLD"), "‖", N_("Share nothing yet: a document must be verified, or the request reviewed, first.")),
}
FIELD_LABELS = {
    "channel": N_("Arrived by"),
    "kind": N_("Kind of request"),
    "requester.agency": N_("Requesting agency (as given)"),
    "requester.officer": N_("Requesting officer"),
    "requester.person_id": N_("Identity check: the person number her identification matched"),
    "on_behalf_of": N_("On behalf of"),
    "purpose.text": N_("Stated purpose"),
    "purpose.category": N_("Purpose category (declared)"),
    "purpose.case_number": N_("Case number"),
    "subject.name": N_("Person: name"),
    "subject.dob": N_("Person: date of birth"),
    "subject.person_id": N_("Person: department id"),
    "resource.fields": N_("Topics or fields asked for"),
    "resource.system": N_("System"),
    "resource.search.type": N_("Search"),
    "resource.search.plate": N_("Plate"),
    "operation.type": N_("Kind of support"),
    "operation.civil_immigration": N_("Civil immigration operation"),
}
DOCUMENT_FIELDS = {
    "number": N_("number"),
    "court": N_("court"),
    "signed_by": N_("signed by"),
    "signer_title": N_("title"),
    "criminal": N_("names a crime"),
    "probable_cause": N_("probable cause"),
}
SCRIPT_WORDS = 40  # what the officer reads out: at most this many words, in at most two sentences


class FormError(SanctuaryError, ValueError):
    """A form field that cannot be used; `field` is the form field's name, `reason` an English msgid
    (filled with `values` when shown)."""

    def __init__(self, field: str, reason: str, **values: Any) -> None:
        super().__init__(field, reason)
        self.values = values

    def said(self, words: Words) -> str:
        text = words(self.reason)
        return text % self.values if self.values else text


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
        raise FormError(name, N_("%(value)s is not one of the choices"), value=repr(value[:40]))
    return value


# The dates people type: ISO (1988-03-14, the date picker's value) and US month/day/year with any
# of / - . between (03/14/1988, 3-14-1988). A two-digit year is refused: its century is a guess.
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{2}|\d{4})$")


def date_of_birth(text: str, today: date | None = None) -> str:
    """A typed date of birth as YYYY-MM-DD; FormError (naming `subject_dob`) for anything else."""
    if found := _ISO.match(text):
        year, month, day = found.groups()
    elif found := _US.match(text):
        month, day, year = found.groups()
        if len(year) == 2:
            raise FormError("subject_dob", N_("write the year with four digits, e.g. 03/14/1988"))
    else:
        raise FormError("subject_dob", N_("%(value)s is not a date: write it as month/day/year, e.g. 03/14/1988"), value=repr(text[:40]))
    try:
        when = date(int(year), int(month), int(day))
    except ValueError:
        raise FormError("subject_dob", N_("%(value)s is not a date of the calendar (month/day/year)"), value=repr(text[:40])) from None
    if when > (today or date.today()) or when.year < 1900:
        raise FormError("subject_dob", N_("%(value)s cannot be a date of birth"), value=repr(text[:40]))
    return when.isoformat()


def request_id(channel: str, now: datetime | None = None) -> str:
    when = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
    return f"desk-{channel}-{when}-{secrets.token_hex(3)}"


def build_request(form: Mapping[str, Any], topics: list[str], document_texts: Mapping[int, str], desk_user: str = "") -> dict[str, Any]:
    """The request (a dict for `parse_request`) the desk form describes; FormError names a bad field.

    `form` maps field names to strings (checkboxes: present or not); `topics` are the custody topics
    ticked; `document_texts` holds the text read from each uploaded document, by slot; `desk_user`
    is the signed-in desk user, who vouches for the identity check of a person's own request.
    """
    channel = _choice(form, "channel", CHANNELS)
    kind = _choice(form, "kind", KINDS)
    agency = _text(form, "agency")
    if not agency:
        raise FormError("agency", N_("name the agency that made the request"))
    request: dict[str, Any] = {"id": request_id(channel), "kind": kind, "requester": {"agency": agency}}
    if agency == SELF:
        request["requester"].update(checked_identity(form, channel, desk_user))
    elif officer := _text(form, "officer"):
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
    subject: dict[str, Any] = {k: v for k in ("name", "person_id") if (v := _text(form, f"subject_{k}"))}
    if dob := _text(form, "subject_dob"):
        subject["dob"] = date_of_birth(dob) if len(dob) <= 40 else dob  # an absurd length: the contract names it
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


def checked_identity(form: Mapping[str, Any], channel: str, desk_user: str) -> dict[str, str]:
    """The requester's fields of a person's own request (requester `SELF`): the person number her
    identification matched in the records (`requester.person_id`, which must be the subject's), and
    in `requester.officer` who vouches for the check (the signed-in desk user) and what was looked
    at, the desk's statement. FormError names the field that is missing or does not agree."""
    if channel != "in_person":
        raise FormError("channel", IN_PERSON)
    document = _choice(form, "id_document", dict(ID_CHOICES))
    if not document:
        raise FormError("id_document", N_("say which identification you checked"))
    checked = _text(form, "requester_person_id")
    if not checked:
        raise FormError("requester_person_id", N_("enter the person number her identification matched in the department’s records"))
    subject = _text(form, "subject_person_id")
    if not subject:
        raise FormError("subject_person_id", N_("name the records she asks for by her person number, the one her identification matched"))
    if subject != checked:
        raise FormError(
            "requester_person_id",
            N_(
                "her identification matched another person than the one the request is about (the person number below): a person may ask only for her own records"
            ),
        )
    if not desk_user:
        raise FormError("requester_person_id", N_("only a signed-in desk user can vouch for an identity check"))
    return {"person_id": checked, "officer": _VOUCHED.format(user=desk_user, document=ID_DOCUMENTS[document].lower())}


# How the log records who vouched for an identity check, and what was looked at (in English, the log's language).
_VOUCHED = "identity checked at the desk by {user}: {document}"
_VOUCHED_READ = re.compile(r"^identity checked at the desk by (?P<user>.+): (?P<document>[^:]+)$")


def vouched(officer: str, words: Words) -> str:
    """A self-request's recorded identity check (`checked_identity`) in the reader's words."""
    found = _VOUCHED_READ.match(officer)
    by_words = {english.lower(): english for english in ID_DOCUMENTS.values()}
    if found is None or found["document"] not in by_words:
        return officer
    return words(N_("%(document)s, checked at the desk by %(user)s")) % {
        "document": words(by_words[found["document"]]),
        "user": found["user"],
    }


def _resource(form: Mapping[str, Any], kind: str, topics: list[str]) -> dict[str, Any]:
    if kind == "custody_inquiry":
        unknown = set(topics) - set(TOPICS)
        if unknown:
            raise FormError("topics", N_("unknown topic(s) %(topics)s"), topics=sorted(unknown))
        return {"fields": topics} if topics else {}
    if kind not in ("database_query", "agreement"):
        return {}
    resource: dict[str, Any] = {}
    if system := _text(form, "system"):
        resource["system"] = system
    if kind == "agreement":  # the system it would open: an agreement asks no search and no fields
        if _text(form, "fields") or _text(form, "search_type"):
            raise FormError("fields", N_("an agreement names only the system it would open: no fields, no search"))
        return resource
    if fields := [f.strip() for f in _text(form, "fields").split(",") if f.strip()]:
        resource["fields"] = fields
    search_type = _choice(form, "search_type", dict(SEARCH_CHOICES))
    if search_type:
        search: dict[str, str] = {"type": search_type}
        if search_type == "plate":
            plate = _text(form, "search_plate")
            if not plate:
                raise FormError("search_plate", N_("a plate search needs the plate"))
            search["plate"] = plate
        resource["search"] = search
    return resource


def _operation(form: Mapping[str, Any]) -> dict[str, Any]:
    op_type = _choice(form, "operation_type", dict(OPERATION_CHOICES))
    if not op_type:
        raise FormError("operation_type", N_("say what kind of support is asked for"))
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
            raise FormError(prefix + "type", N_("say what kind of document was uploaded"))
        return None
    doc: dict[str, Any] = {"type": doc_type}
    for name in ("number", "court", "signed_by", "signer_title"):
        if value := _text(form, prefix + name):
            doc[name] = value
    if criminal := _choice(form, prefix + "criminal", dict(CRIMINAL_CHOICES)):
        doc["criminal"] = criminal == "yes"
    if text:
        doc["text"] = text
    return doc


def document_text(data: bytes, field: str) -> str:
    """The text of an uploaded document (PDF or text), through the screening reader (its bounds)."""
    if len(data) > MAX_FILE_BYTES:
        raise FormError(field, N_("the file is %(size)s bytes; the limit is %(limit)s"), size=len(data), limit=MAX_FILE_BYTES)
    with tempfile.TemporaryDirectory(prefix="sanctuary-desk-") as folder:
        path = Path(folder) / "upload"
        path.write_bytes(data)
        try:
            return read_text(path)[:100_000]
        except DocumentError as exc:
            raise FormError(field, N_("the file cannot be read: %(why)s"), why=exc.reason.replace(str(path), "the file")) from None


def agency_name(agency: Any, lang: str) -> str:
    """An agency as a reader knows it: its name in `lang` (the Spanish glossary), else its own."""
    return i18n.agency_name(agency.id, lang) or agency.name


def ambiguity(registry: Any, given: str, words: Words, lang: str) -> str | None:
    """A warning when the rules cannot tell which agency is calling: the name is not in the registry,
    or it names an agency whose units may be the real caller (`Registry.readings`: "DHS", "ICE"),
    which the rules read the most restrictive way. An agency read only as itself ("FBI") needs none."""
    if not given:
        return None
    agency = registry.resolve(given)
    if agency is None:
        return words(
            N_(
                "“%(given)s” is not in the agency registry. The request will be refused as unregistered: ask for the "
                "agency's full name or ORI, and a number to call back."
            )
        ) % {"given": given}
    units = [a for a in registry.readings(agency.id) if a.id != agency.id]
    if not units:
        return None
    shown = ", ".join(f"{agency_name(a, lang)} ({a.id})" for a in units[:4]) + (", …" if len(units) > 4 else "")
    return words(
        N_(
            "“%(given)s” names %(agency)s, and the caller may be any of its units (%(units)s). The rules read it the "
            "most restrictive way: ask which unit and officer is calling, and a number to call back."
        )
    ) % {"given": given, "agency": agency_name(agency, lang), "units": shown}


def as_entered(request: dict[str, Any], channel: str, words: Words) -> list[tuple[str, str]]:
    """The request as entered, as (label, value) lines for the printed record, in the reader's words."""
    lines = [(words(FIELD_LABELS["channel"]), words(CHANNELS[channel]))] if channel in CHANNELS else []
    own = (request.get("requester") or {}).get("agency") == SELF  # a person's own request: her identity check

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
            return
        if prefix in ("id", "documents"):
            return
        if prefix.startswith("subject.") and prefix not in FIELD_LABELS:
            carveout = CARVEOUT_FIELDS.get(prefix.split(".", 1)[1])
            lines.append((words(carveout) if carveout else prefix, words(N_("yes"))))
            return
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        if prefix == "requester.agency" and value == SELF:
            shown = words(SELF_WORDS)
        elif prefix == "requester.officer" and own:
            lines.append((words(N_("Identity check")), vouched(shown, words)))
            return
        elif prefix == "kind":
            shown = words(dict(KIND_CHOICES).get(shown, shown))
        elif prefix == "resource.fields":
            shown = ", ".join(words(labels.CUSTODY_TOPICS[v]) if v in labels.CUSTODY_TOPICS else str(v) for v in value)
        elif prefix == "purpose.category":
            shown = words(CATEGORIES.get(shown, shown))
        elif prefix == "resource.search.type":
            shown = words(dict(SEARCH_CHOICES).get(shown, shown))
        elif prefix == "operation.type":
            shown = words(dict(OPERATION_CHOICES).get(shown, shown))
        elif isinstance(value, bool):
            shown = words(N_("yes") if value else N_("no"))
        label = FIELD_LABELS.get(prefix)
        lines.append((words(label) if label else prefix.replace("_", " "), shown))

    walk("", {k: v for k, v in request.items() if k != "documents"})
    for i, doc in enumerate(request.get("documents") or [], start=1):
        lines.append((words(N_("Document %(number)s")) % {"number": i}, document_line(doc, words)))
    return lines


def document_line(doc: Mapping[str, Any], words: Words) -> str:
    """A document as the officer described it: its name, then what was said about it."""
    details = []
    for key, label in DOCUMENT_FIELDS.items():
        value = doc.get(key)
        if value is None:
            continue
        shown = words(N_("yes") if value else N_("no")) if isinstance(value, bool) else str(value)
        details.append(f"{words(label)}: {shown}")
    if doc.get("text"):
        details.append(words(N_("file read")))
    name = words(labels.DOCUMENTS.get(str(doc.get("type")), str(doc.get("type"))))
    return "; ".join([name, *details])


def plain_category(name: str, lang: str = i18n.SOURCE) -> str:
    """A data category's or group's title (categories.toml) in `lang`, or its name in words."""
    found = vocabulary().categories.get(name) or vocabulary().groups.get(name)
    return i18n.localized(found, "title", lang) if found else name.replace("_", " ").capitalize()


def record_fields(record: Mapping[str, Any], words: Words, lang: str) -> list[tuple[str, str]]:
    """A released record as (label, value) lines: its kind and number, then each field, in words;
    dates written out, yes/no for flags, nested values flattened with their labels."""
    lines: list[tuple[str, str]] = []
    kind = str(record.get("kind", ""))
    if kind:
        lines.append((words(N_("Record")), words(labels.RECORD_KINDS.get(kind, kind))))
    if record.get("record_id"):
        lines.append((words(labels.RECORD_FIELDS["record_id"]), str(record["record_id"])))

    def add(name: str, value: Any, prefix: str = "") -> None:
        label = prefix + (words(labels.RECORD_FIELDS[name]) if name in labels.RECORD_FIELDS else name.replace("_", " ").capitalize())
        if isinstance(value, Mapping):
            for inner, inner_value in value.items():
                add(inner, inner_value, f"{label}: ")
        elif isinstance(value, list):
            lines.append((label, ", ".join(_value(v, words, lang) for v in value)))
        else:
            lines.append((label, _value(value, words, lang)))

    for name, value in (record.get("fields") or {}).items():
        add(name, value)
    for name, value in record.items():
        if name not in ("kind", "record_id", "fields"):
            add(name, value)
    return lines


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _value(value: Any, words: Words, lang: str) -> str:
    if isinstance(value, bool):
        return words(N_("yes") if value else N_("no"))
    if value is None:
        return "—"
    if isinstance(value, str) and _DAY.match(value):
        try:
            return format_date(date.fromisoformat(value), format="long", locale=lang)
        except ValueError:
            return value
    if isinstance(value, str) and len(value) > 10 and _DAY.match(value[:10]) and value[10] in "T ":
        try:
            return format_date(date.fromisoformat(value[:10]), format="long", locale=lang) + " " + value[11:16]
        except ValueError:
            return value
    return str(value)


@dataclass(frozen=True)
class Script:
    """What the officer tells the caller: `say` is read out (two sentences, SCRIPT_WORDS words at
    most, naming the deciding clause), `more` the rest, below it, if the caller asks."""

    say: str
    more: list[str] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)  # the deciding clauses: name and plain words
    withheld: list[str] = field(default_factory=list)  # the categories asked for and withheld, in words


def script(
    decision: Mapping[str, Any],
    engine: PolicyEngine | None,
    agency: str,
    found: int | None,
    asked: frozenset[str],
    words: Words,
    lang: str,
    department: str,
) -> Script:
    """What to say about `decision`, in `lang`.

    `agency` is the caller's agency as named for the reader; `department` the department the desk
    speaks for, as it follows "the" (`deployment.Deployment.department`); `found` how many records were released
    (None for a request that is not for records); `asked` the data categories the request asked for:
    only those of the withheld ones are mentioned (a warrant check is not told that plate reads are
    withheld). The leading clause is the decision's first citation that is a clause of a law.
    """
    named = clauses(engine, lang)
    cited = [named[c] for c in decision.get("citations", []) if c in named]
    laws_cited = [c for c in cited if c.law]
    index = decision.get("log_index")
    recorded = [words(N_("The request is recorded in the department's decision log as number %(index)s.")) % {"index": index}]
    recorded = recorded if index is not None else []
    held = decision.get("held") or {}
    own = decision.get("requester") == SELF  # the person herself, asking for her own records
    if decision["decision"] == "permit":
        withheld = [plain_category(c, lang) for c in decision.get("redact") or [] if c in asked]
        if found is None:
            first = words(N_("The department can do this for %(agency)s.")) % {"agency": agency}
        elif found == 0:
            first = words(N_("I can answer your request: no record was found."))
        else:
            first = i18n.translations(lang).ngettext("I can give you %(count)s record.", "I can give you %(count)s records.", found)
            first %= {"count": found}
        shown = ", ".join(w[0].lower() + w[1:] if lang == i18n.SOURCE else w for w in withheld)
        if own:  # given her own records
            second = words(N_("By law I cannot give %(withheld)s.")) % {"withheld": shown} if withheld else ""
            second = second or words(N_("These are your own records, given to you alone."))
            return Script(f"{first} {second}", recorded, cited, withheld)
        if withheld:
            second = words(N_("By law I cannot give %(withheld)s; what I give is for criminal law enforcement only."))
            second %= {"withheld": shown}
        else:
            second = words(N_("It is for criminal law enforcement only, never for civil immigration enforcement."))
        more = [words(N_("What is released may not be shared further or used for civil immigration enforcement.")), *recorded]
        return Script(f"{first} {second}", more, cited, withheld)
    if held:
        reference = held.get("reference", "")
        if held.get("reason") == "needs_review":
            first = words(N_("I cannot act on this yet: an officer must review the request first."))
        else:
            rules = engine.rules if engine is not None else {}
            lifts = [named[rules[r].citation].name for r in held.get("lifts", []) if r in rules and rules[r].citation in named]
            lead = lifts[0] if lifts else (laws_cited[0].name if laws_cited else "")
            first = words(N_("I cannot act on this yet: %(clause)s requires the document to be verified with whoever issued it."))
            first %= {"clause": lead}
        second = words(N_("Nothing has been shared; we will call you back (reference %(reference)s).")) % {"reference": reference}
        return Script(f"{first} {second}", recorded, cited)
    if decision.get("failure") == Failure.unregistered:
        first = words(N_("The department acts only on requests from registered agencies, and %(agency)s is not one."))
        first %= {"agency": agency}
        second = words(N_("Nothing has been shared; please write with your agency's full name or ORI."))
        return Script(f"{first} {second}", recorded, cited)
    if decision.get("error") and not laws_cited:
        first = words(N_("I cannot act on this request as it stands: information is missing or could not be checked."))
        second = words(N_("Nothing has been shared; please send the request again in writing."))
        more = [words(N_("What went wrong: %(error)s.")) % {"error": decision["error"]}, *recorded]
        return Script(f"{first} {second}", more, cited)
    second = words(N_("Nothing has been done or shared, and your request is recorded."))
    if DEFAULT_DENY in decision.get("citations", []) and (own or not laws_cited):
        # The baseline's refusal, said as such (no clause "forbids" it): no law in force speaks to a
        # person asking for her own records, or no rule allows what an agency asks.
        if own:
            first = words(N_("No law in force here lets the department give a person her own records."))
        else:
            first = words(N_("The %(department)s will not do this: no rule of the law in force here allows it.")) % {
                "department": department
            }
        return Script(f"{first} {second}", [*(c.words for c in cited), *recorded], cited)
    lead = laws_cited[0].name if laws_cited else (cited[0].name if cited else "")
    first = words(N_("The %(department)s will not do this: %(clause)s forbids it.")) % {"department": department, "clause": lead}
    more = [laws_cited[0].words] if laws_cited else []
    if len(laws_cited) > 1:
        more.append(words(N_("Also required by %(clauses)s.")) % {"clauses": ", ".join(c.name for c in laws_cited[1:])})
    return Script(f"{first} {second}", [*more, *recorded], cited)
