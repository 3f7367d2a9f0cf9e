"""The public contract: what an outside request looks like and what a decision says.

Every entry point (CLI, gateway, request desk, retro audit) parses requests with these models and
emits these decisions. Unknown fields are errors that name the field; sizes are bounded so that
no input can make a decision expensive. See docs/requests.md.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from enum import Enum
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, ValidationInfo, field_validator

from sanctuary.errors import SanctuaryError

Text = Annotated[str, StringConstraints(max_length=2000)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Short = Annotated[str, StringConstraints(max_length=200)]


@dataclass(frozen=True)
class NotText:
    """Marks a string field of the contract that is not free text, and says why (an identifier, or a
    value matched against a closed list). Every other string field is free text: the purpose screen
    reads it (`policy.facts.FREE_TEXT` is derived from these models, so a new field is screened
    unless it is marked here; tests/test_free_text.py checks every string field is one or the other)."""

    why: str


PERSON = NotText("identifies a person (a name, a date of birth, an id, a plate): looked up, never read as a purpose")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Kind(str, Enum):
    """What the outside agency asks the department to do."""

    database_query = "database_query"  # read records from a department system
    custody_inquiry = "custody_inquiry"  # custody status, release date or contact information
    detainee_access = "detainee_access"  # reach/interview a person in custody, use facilities
    custody_transfer = "custody_transfer"  # hand a person over
    detention_hold = "detention_hold"  # keep a person past release
    operational_support = "operational_support"  # traffic perimeter, on-site support
    # enter, renew or keep a standing arrangement with the department: a 287(g) or other agreement
    # granting immigration powers, direct access to a department database or data-sharing platform
    # (`resource.system`). Nothing about a person leaves on a permit: it says that no rule of the law
    # in force bars the arrangement (docs/requests.md).
    agreement = "agreement"


# The requester of a self-request: the person the request is about, asking for her own records
# (New York VTL §201(9)(a), (10)(a)). No key speaks for it: the department binds her to the subject
# (`Requester.person_id`; docs/requests.md, "A person's request for her own records").
SELF = "SUBJECT-SELF"


class Requester(Strict):
    # registry id, alias, full name or ORI; the gateway sets it from the credential
    agency: Annotated[Name, NotText("resolved against the registry (an unknown agency is refused); the credential's at the gateway")]
    officer: Short | None = None
    # A self-request only (agency SELF): the person the department's identity check found the
    # requester to be (at the desk: her identification against the records), which must be the
    # subject's person_id. In the sealed record only, like every identifier of a person.
    person_id: Annotated[Short | None, PERSON] = None


PurposeCategory = Literal["criminal", "civil_immigration", "other"]
PURPOSE_CATEGORIES: tuple[str, ...] = get_args(PurposeCategory)


class Purpose(Strict):
    text: Text | None = None
    case_number: Short | None = None
    category: PurposeCategory | None = None


# The searches a request may ask of the department's records: the one list (what each returns and is
# about: policy.categories.SEARCHES, which adds the department's own look-ups; the store's typed
# searches: records.searches; the desk's choices).
SearchType = Literal["person", "plate", "warrant", "custody", "contact"]
SEARCH_TYPES: tuple[str, ...] = get_args(SearchType)


class Search(Strict):
    """A typed search in a department system: never raw SQL."""

    type: SearchType
    name: Annotated[Short | None, PERSON] = None
    dob: Annotated[Short | None, PERSON] = None
    plate: Annotated[Short | None, PERSON] = None
    person_id: Annotated[Short | None, PERSON] = None


class Resource(Strict):
    system: Short | None = None
    # For database_query: the fields asked for. For custody_inquiry: the topics asked about
    # (custody_status, release_date, contact_information); empty means all of them.
    fields: Annotated[
        list[Short], NotText("names of data fields or custody topics, matched against the data vocabulary and the topics")
    ] = Field(default_factory=list, max_length=50)
    search: Search | None = None
    # The data asked is what the City publishes to everyone (an open-data portal), not a system kept
    # for law enforcement: the department's statement; a requester's is a claim, never decisive.
    publicly_available_to_anyone: bool = False
    # ... or, when only some of what is asked is, the fields asked (names from `fields`) that are: the
    # department's statement, field by field (RCW 10.93.160(5) bars "nonpublicly available" personal
    # information only); a requester's is a claim, never decisive.
    publicly_available_fields: Annotated[list[Short], NotText("names of data fields the request asks, matched against `fields`")] = Field(
        default_factory=list, max_length=50
    )

    @field_validator("publicly_available_fields")
    @classmethod
    def _among_fields(cls, value: list[str], info: ValidationInfo) -> list[str]:
        unasked = sorted(set(value) - set(info.data.get("fields", ())))
        if unasked:
            raise ValueError(f"names {unasked}, which resource.fields does not ask")
        return value


# Each fact short of a carve-out: the neighbour it must agree with, the value that agrees, what it says.
CONTRADICTS: dict[str, tuple[str, bool, str]] = {
    "outstanding_civil_warrant_only": ("outstanding_criminal_warrant", False, "the person's only outstanding warrant is civil"),
    "felony_conviction_foreign_court_only": ("felony_conviction", True, "every felony conviction of the person is a foreign court's"),
    "juvenile_felony_adjudication_only": ("felony_conviction", False, "the person's only record is a juvenile adjudication"),
    "pending_misdemeanor_charge": ("pending_felony_charge", False, "the pending case is on misdemeanor charges only"),
}


# The custody information a department may publish about a person (California's "available to the
# public", Gov. Code §7284.6(a)(1)(C)): `Subject.published_categories`.
PublishedCategory = Literal["release_date", "custody_status", "custody_facility"]
PUBLISHED_CATEGORIES: tuple[str, ...] = get_args(PublishedCategory)


class Subject(Strict):
    """The person the request is about: the facts from the department's records the rules turn on,
    and who it is. Over the gateway the records say them (a requester's statement is a claim); at
    the department's own `sanctuary decide`, what the request says is the department's statement.
    Four facts say what a record holds short of a carve-out of MCC 2-173-042(c) (2012 text), each
    where the text turns on it; each contradicts the carve-out it stands beside (`CONTRADICTS`)."""

    outstanding_criminal_warrant: bool = False
    felony_conviction: bool = False
    pending_felony_charge: bool = False
    gang_database: bool = False
    gang_admission: bool = False
    # (c)(1) "an outstanding criminal warrant": the only outstanding warrant is civil (body attachment, civil contempt)
    outstanding_civil_warrant_only: bool = False
    # (c)(2) "convicted of a felony in any court of competent jurisdiction": every felony conviction is a foreign court's
    felony_conviction_foreign_court_only: bool = False
    # (c)(2) "convicted": the only record is a juvenile delinquency adjudication for a felony-grade offence
    juvenile_felony_adjudication_only: bool = False
    # (c)(3) "a defendant in a criminal case": the pending case is on misdemeanor charges only
    pending_misdemeanor_charge: bool = False
    # New York VTL §201(12)(a)'s exceptions, as the DMV's records show them: the person has applied
    # for a license meeting federal standards for identification (REAL ID), or seeks acceptance into
    # a trusted traveler program.
    real_id_applicant: bool = False
    trusted_traveler_applicant: bool = False
    # California, Gov. Code §7282.5: the circumstances in which a release date may be given on a
    # notification request (§7284.6(a)(1)(C)) or a person transferred (§7284.6(a)(4)).
    conviction_serious_or_violent_felony: bool = False  # (a)(1): Penal Code 1192.7(c) or 667.5(c)
    conviction_state_prison_felony: bool = False  # (a)(2): a felony punishable by imprisonment in the state prison
    conviction_listed_offense_felony_within_15y: bool = False  # (a)(3): a felony for a listed offence, last 15 years
    conviction_listed_offense_wobbler_misdemeanor_within_5y: bool = False  # (a)(3): a misdemeanor for a listed wobbler, past 5 years
    misdemeanor_conviction: bool = False  # recorded; a misdemeanor counts only as (a)(3)'s listed wobbler
    sex_arson_registrant: bool = False  # (a)(4): a current registrant on the California Sex and Arson Registry
    conviction_federal_aggravated_felony: bool = False  # (a)(5): 8 U.S.C. 1101(a)(43)(A)-(P)
    ice_identified_federal_felony_warrant: bool = False  # (a)(5): identified by ICE as subject of a federal felony arrest warrant
    held_to_answer_on_qualifying_felony: bool = False  # (b): a magistrate's Penal Code 872 finding on such a felony charge
    prop47_reduced_misdemeanor: bool = False  # (a)(6): convicted of a misdemeanor that was a felony or wobbler before Prop. 47
    arrested_for_prop47_misdemeanor: bool = False  # (a)(6): arrested or detained for such a misdemeanor
    # California, Gov. Code §7284.6(b)(1): the department's own stop found reasonable suspicion of an
    # 8 U.S.C. 1326(a) re-entry that may be subject to the 1326(b)(2) enhancement (an aggravated
    # felony before removal), and it was detected during an unrelated law enforcement activity.
    reentry_1326b2: bool = False
    detected_during_unrelated_activity: bool = False
    # California, Gov. Code §7283.1(a): the person's answer on the written consent form the
    # department gave before an ICE interview ("given", "declined"; None: not given or not answered).
    interview_consent: Literal["given", "declined"] | None = None
    # Washington (RCW 10.93.160): "subject to community custody pursuant to RCW 9.94A.701 and 9.94A.702"
    # ((5) names them); in "the physical custody of the department of corrections" ((15), RCW
    # 43.17.420(12)); consented in writing to an interview after the oral explanation and form of (6)(b).
    on_community_custody: bool = False
    in_doc_physical_custody: bool = False
    written_interview_consent: bool = False
    # California, Gov. Code §7284.6(a)(1)(C): the custody information about the person the department
    # makes "available to the public" (its inmate locator), by data category.
    published_categories: list[PublishedCategory] = Field(default_factory=list, max_length=len(PUBLISHED_CATEGORIES))
    person_id: Annotated[Short | None, PERSON] = None
    name: Annotated[Short | None, PERSON] = None
    dob: Annotated[Short | None, PERSON] = None

    @field_validator(*CONTRADICTS)
    @classmethod
    def _consistent(cls, value: bool, info: ValidationInfo) -> bool:
        other, needed, says = CONTRADICTS[str(info.field_name)]
        if value and info.data.get(other, False) is not needed:
            raise ValueError(f"says {says}, but subject.{other} is {'false' if needed else 'true'}")
        return value


# The facts about the subject the rules turn on (Subject's yes/no fields: the carve-outs, California's §7282.5 and
# §7284.6(b)(1) facts, New York's exceptions): from the records, or from a requester only as a claim.
CARVEOUT_FIELDS: tuple[str, ...] = tuple(name for name, f in Subject.model_fields.items() if f.annotation is bool)


DocumentType = Literal[
    "I-247A",
    "I-247",
    "I-247D",
    "I-247N",
    "I-247X",
    "I-200",
    "I-203",
    "I-205",
    "I-286",
    "I-862",
    "ncic_ivf",
    "administrative_subpoena",
    "judicial_warrant",
    "court_order",
    "judicial_subpoena",
    "grand_jury_subpoena",
    # Neither a court's paper nor an immigration form; each counts once verified, for whom it is:
    # the person's own written authorization to share their citizenship or immigration status (MCC
    # 2-173-030(a)(1): "authorized in writing by the individual to whom such information pertains"),
    # for the one person the request is about; an out-of-state agency's executed written declaration
    # that ALPR information will not be used in violation of 625 ILCS 5/2-130(b) (2-130(c)), for the
    # requesting agency only (docs/law/chicago-ordinance.md, docs/law/illinois-alpr.md).
    "written_consent",
    "alpr_written_declaration",
    "other",
]
DOCUMENT_TYPES: tuple[str, ...] = get_args(DocumentType)


class Document(Strict):
    type: DocumentType
    number: Short | None = None
    court: Short | None = None
    signed_by: Short | None = None
    signer_title: Short | None = None
    criminal: bool | None = None
    probable_cause: bool | None = None
    # The offence or statute the warrant or order names ("8 U.S.C. 1326(a)", "Penal Code 459"): a
    # fact about the document, read by the rules once the document is verified (policy.facts:
    # `federal_probable_cause_charges`); free text, so the purpose screen reads it too.
    charge: Short | None = None
    # The data categories (policy/categories.toml: leaves or groups) the warrant or order requires the
    # department to disclose, as the department reads them on the document: a fact about it that the
    # rules read once it is verified (policy.facts: `compelled`); from outside, a claim. MCC 2-173-030(a)
    # yields where a "court order, or a lawfully issued judicial warrant" requires the disclosure, of a
    # court that binds the department (policy.facts: `binding_compelled`).
    compels: Annotated[
        tuple[Short, ...] | None,
        NotText("names of data categories, matched against the data vocabulary"),
        Field(min_length=1, max_length=50),
    ] = None
    text: Annotated[str, StringConstraints(max_length=100_000)] | None = None


OperationType = Literal["traffic_perimeter", "on_site_support", "other"]
OPERATION_TYPES: tuple[str, ...] = get_args(OperationType)


class Operation(Strict):
    type: OperationType
    civil_immigration: bool | None = None


class Request(Strict):
    id: Annotated[
        str,
        StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-]+$"),
        NotText("the requester's reference for the request, echoed back: letters, digits and . _ : - only"),
    ]
    kind: Kind
    requester: Requester
    on_behalf_of: Name | None = None
    # default_factory: pydantic deep-copies model-instance defaults on every parse
    purpose: Purpose = Field(default_factory=Purpose)
    resource: Resource = Field(default_factory=Resource)
    subject: Subject = Field(default_factory=Subject)
    documents: Annotated[list[Document], Field(max_length=20, default_factory=list)]
    operation: Operation | None = None


class Failure(str, Enum):
    """Why a request could not be decided as asked: a typed kind, set where it happens, never read
    back from an explanation. The HTTP status is a function of it (one table, in the gateway)."""

    input = "input"  # the request does not meet the contract (names the field)
    unreadable = "unreadable"  # the bytes received are not JSON at all, or a header is given twice or not UTF-8
    identity = "identity"  # the request names a requester other than the agency its credential speaks for
    unregistered = "unregistered"  # the requester or an agency it names is not in the registry
    policy = "policy"  # the policy set did not load, or a rule could not be evaluated
    store = "store"  # the records store (or a department system's facts) did not answer
    log = "log"  # the decision log did not take the entry: unrecorded means not acted on
    timeout = "timeout"  # no answer within the deadline
    upstream = "upstream"  # a proxied department system answered with an error or an unreadable body
    upstream_timeout = "upstream_timeout"  # a proxied department system did not answer in time


class Held(BaseModel):
    """A deny that only a verified document (or a reviewing officer) can turn: the request waits at
    the desk. `reference` is what the officer resolves it by; the resolution is a new decision."""

    model_config = ConfigDict(extra="forbid")

    reason: Literal["verification_required", "needs_review"]
    reference: str
    lifts: list[str] = []  # the rules a verified document would lift
    evidence: list[str] = []  # needs_review: the rules of the screen's evidence it rests on ("normalised:bidi", "agency:ICE")


class Decision(BaseModel):
    """One decision. `citations` name the clauses; `rules` the Cedar policy @ids that decided."""

    model_config = ConfigDict(extra="forbid")

    id: str
    decision: Literal["permit", "deny"]
    citations: list[str]
    rules: list[str] = []
    redact: list[str] = []
    explanation: str
    profiles: list[str]
    policy_hash: str
    requester: str | None = None  # resolved registry id
    on_behalf_of: list[str] = []  # resolved ids judged as requesters too (declared or named)
    log_index: int | None = None
    error: str | None = None
    failure: Failure | None = None  # set with `error`: what kind of failure it was
    held: Held | None = None  # a deny waiting for a document or a review (decision is "deny")
    judged_as: list[str] = []  # every agency judged: each reading of the requester and of each beneficiary
    claims: list[str] = []  # what the request asserted that only records or a verified document establish
    facts_source: str | None = None  # where the facts about the subject came from (or why none were needed)
    resolves: str | None = None  # the reference of the held request this decision resolves
    # The fact the rules read: the request is for civil immigration enforcement (one predicate,
    # sanctuary.policy.immigration); None when it was refused before its facts were derived.
    immigration_purpose: bool | None = None
    # The duties this decision triggers (ids of its profiles' duties.toml): logged with it, in one
    # commit, each naming its entry (sanctuary.duties). None: none.
    duties: list[str] | None = None

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=True)


def string_fields(model: type[BaseModel], prefix: str = "") -> tuple[tuple[str, NotText | None], ...]:
    """Every string field of `model`, nested models and lists of them included, as a path
    ("purpose.text", "documents[].text") with its `NotText` mark, or None: free text."""
    out: list[tuple[str, NotText | None]] = []
    for name, info in model.model_fields.items():
        mark = next((m for m in info.metadata if isinstance(m, NotText)), None)
        held, path = _held(info.annotation, prefix + name)
        if isinstance(held, type) and issubclass(held, BaseModel):
            out.extend(string_fields(held, path + "."))
        elif held is str:
            out.append((path, mark))
    return tuple(out)


def _held(annotation: Any, path: str) -> tuple[Any, str]:
    """The type a field holds under Annotated, Optional, list and tuple, and its path ("[]" for either)."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType) and len(args := [a for a in get_args(annotation) if a is not type(None)]) == 1:
            annotation = args[0]
        elif origin in (list, tuple):  # a tuple field is `tuple[X, ...]`: hashable, held in documents (cached on)
            annotation, path = get_args(annotation)[0], path + "[]"
        else:
            return annotation, path


def strings_at(value: BaseModel, path: str) -> list[tuple[str, str]]:
    """(where, text) of every string present at a `string_fields` path of `value`, each list item
    named by its index ("documents[].text" -> "documents[0].text", "documents[1].text", ...)."""
    found: list[tuple[str, Any]] = [("", value)]
    for part in path.split("."):
        name = part.removesuffix("[]")
        step: list[tuple[str, Any]] = []
        for where, node in found:
            child, here = getattr(node, name, None), f"{where}.{name}" if where else name
            if part.endswith("[]"):
                step.extend((f"{here}[{i}]", item) for i, item in enumerate(child or ()))
            else:
                step.append((here, child))
        found = step
    return [(where, text) for where, text in found if isinstance(text, str)]


class RequestError(SanctuaryError, ValueError):
    """A request that cannot be decided: names the field and the reason; `failure` says what kind."""

    failure: Failure = Failure.input


class Unreadable(RequestError):
    """The bytes received cannot be read as one request: not JSON, or (a call through the proxy or
    the hook) a header given twice or not UTF-8."""

    failure = Failure.unreadable


class Unregistered(RequestError):
    """The requester, or the agency it acts for, is not in the registry."""

    failure = Failure.unregistered


class ForeignRequester(RequestError):
    """The request names a requester other than the agency its credential speaks for."""

    failure = Failure.identity


MAX_DEPTH = 16  # a request nests 4 deep; far deeper is an attack on the parser
MAX_NUMBER = 32  # characters of one number literal (a request holds no number that long)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):  # a key came twice: which value would count? parsers disagree, so neither does
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise Unreadable("body", f"duplicate key {key[:40]!r}")
            seen.add(key)
    return out


def _number(text: str) -> int | float:
    if len(text) > MAX_NUMBER:
        raise Unreadable("body", f"a number of {len(text)} characters")
    value = float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise Unreadable("body", "a number out of range")
    return value


def _constant(name: str) -> Any:
    raise Unreadable("body", f"{name} is not JSON")


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                break
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


# Made once, as json.loads makes its default decoder once (and shares it between threads, as here):
# json.loads with these hooks would make a decoder for every body. Bytes are decoded as json.loads
# decodes them.
_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_int=_number, parse_float=_number, parse_constant=_constant)


def read_json(raw: str | bytes) -> Any:
    """The JSON value of a request's bytes, or Unreadable (the body is not a request at all): not
    JSON, nested deeper than MAX_DEPTH, a duplicate key, a number longer than MAX_NUMBER characters,
    NaN or Infinity. Parser bombs end here, before anything else reads the body."""
    try:
        value = _DECODER.decode(raw.decode(json.detect_encoding(raw), "surrogatepass") if isinstance(raw, bytes) else raw)
    except RecursionError:
        raise Unreadable("body", f"nested deeper than {MAX_DEPTH} levels") from None
    except Unreadable:
        raise
    except ValueError as exc:  # UnicodeDecodeError included
        raise Unreadable("body", f"not JSON: {exc}") from None
    opened = raw.count(b"[") + raw.count(b"{") if isinstance(raw, bytes) else raw.count("[") + raw.count("{")
    if opened > MAX_DEPTH and _depth(value) > MAX_DEPTH:  # few brackets cannot nest deep: no walk
        raise Unreadable("body", f"nested deeper than {MAX_DEPTH} levels")
    return value


def field_errors(exc: ValidationError) -> str:
    """One readable line naming every bad field, e.g. `requester.agency: Field required`."""
    parts = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "request"
        msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        parts.append(f"{loc}: {msg}")
    return "; ".join(parts)


def parse_request(raw: str | bytes | dict[str, Any]) -> Request:
    """Parse one request; raise RequestError naming the fields on bad input."""
    try:
        if isinstance(raw, dict):
            return Request.model_validate(raw)
        return Request.model_validate_json(raw)
    except ValidationError as exc:
        error = Unreadable if exc.errors(include_url=False)[0]["type"] == "json_invalid" else RequestError
        raise error(_first_field(exc), field_errors(exc)) from None


def _first_field(exc: ValidationError) -> str:
    errs = exc.errors(include_url=False)
    return ".".join(str(p) for p in errs[0]["loc"]) if errs and errs[0]["loc"] else "request"
