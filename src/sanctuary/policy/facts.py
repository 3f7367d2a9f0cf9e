"""The facts of a request that the rules read, and where each comes from.

Facts about the subject (the 2012 carve-outs, custody) come from the department's records, looked
up by the pipeline through a `FactSource`; documents count once verified. What an outside requester
writes about the subject or the documents it holds is a *claim*: recorded on the decision, never
decisive. These definitions come from the profiles' shared vocabulary (docs/profiles.md).
"Immigration purpose" is `policy.immigration.immigration_purpose`, the one predicate the retro audit
and the reports use too. A verified judicial document in a criminal matter (a warrant, or an order
such as a writ ad prosequendum) shows that a purpose the screen reads as immigration (an 8 U.S.C.
1324/1326 prosecution) is criminal, not civil. An administrative form never lifts anything,
whatever label it carries.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property, lru_cache
from typing import NamedTuple, Protocol

from sanctuary.agencies import Agency
from sanctuary.models import (
    CARVEOUT_FIELDS,
    PUBLISHED_CATEGORIES,
    SELF,
    Document,
    Kind,
    Request,
    RequestError,
    Subject,
    string_fields,
    strings_at,
)
from sanctuary.policy.courts import (
    article_iii_civil_warrant,
    article_iii_order,
    binds,
    clerk_criminal_warrant,
    clerk_subpoenas,
    commissioner_orders,
    commissioner_papers,
    order_courts,
    prosecutor_subpoenas,
    state_court_orders,
)
from sanctuary.policy.immigration import STATED_CRIME, immigration_purpose
from sanctuary.policy.immigration_crimes import criminal_immigration
from sanctuary.policy.stated_purposes import stated_purposes
from sanctuary.screening import DocumentClass, PurposeScreen
from sanctuary.screening.documents import ATTESTATIONS, CLERKS_SUBPOENAS, COMPULSORY, CONSENT, DECLARATION, JUDGES_ORDERS
from sanctuary.screening.normalize import normalize

CUSTODY_TOPICS = ("custody_status", "release_date", "contact_information")  # asked by an inquiry naming none
# The nature of the requester's own warrant or NCIC record: whether it is civil or criminal, the
# communication MCC 2-173-020(a)(3) authorises ("to determine whether any matter involves enforcement
# based solely on a violation of a civil immigration law"; 5 ILCS 805/5: "clarifying or confirming the
# civil or criminal nature" of NCIC records). It shows data category `warrant_nature` and nothing about
# the person's custody, release or contact; asked alone, the request is a clarification (`Facts`).
WARRANT_TOPIC = "warrant"
TOPICS = (*CUSTODY_TOPICS, WARRANT_TOPIC)
# A topic named by the data category it shows: the place of custody is shown with the custody status.
TOPIC_CATEGORIES = {"custody_facility": "custody_status"}


def custody_topics(fields: Sequence[str]) -> tuple[str, ...]:
    """The topics a custody inquiry asks (its `resource.fields`): those it names, directly or by a
    category one shows (`TOPIC_CATEGORIES`), in TOPICS order; the three custody topics when it names none."""
    named = {TOPIC_CATEGORIES.get(f, f) for f in fields}
    return tuple(t for t in TOPICS if t in named) if fields else CUSTODY_TOPICS


def clarification(request: Request) -> bool:
    """A custody inquiry whose only topic is the nature of the requester's own warrant (`WARRANT_TOPIC`)."""
    return request.kind is Kind.custody_inquiry and custody_topics(request.resource.fields) == (WARRANT_TOPIC,)


def asks_clarification(request: Request) -> bool:
    """A custody inquiry that asks the nature of the requester's own warrant among its topics, alone or
    beside custody topics: a mixed inquiry, whose clarifying part a law may answer apart (parameters
    chicago-2021.mixed_inquiry, illinois-trust.mixed_inquiry; reading row chi-104)."""
    return request.kind is Kind.custody_inquiry and WARRANT_TOPIC in custody_topics(request.resource.fields)


# The 2-173-042(c) carve-outs (2012 text), and four readings of it that the words retrieved leave open
# (each named in parameter chicago-2012.dropped_carveouts, dropped by default: the protective reading).
CARVEOUTS = (
    "outstanding_criminal_warrant",
    "felony_conviction",
    "pending_felony_charge",
    "gang_member",
    "gang_admission",
    "felony_conviction_foreign_court",
    "juvenile_felony_adjudication",
    "pending_misdemeanor_charge",
)
# New York VTL §201(12)(a)'s exceptions that rest on the person's own dealings with the DMV: facts
# from its records (a requester's statement of them is a claim), read as `subject_records` too.
APPLICATIONS = ("real_id_applicant", "trusted_traveler_applicant")
# California's facts from the department's records (`models.Subject`, each with its clause: Gov. Code
# §7282.5's circumstances, §7284.6(b)(1)'s stop), and the answer on its TRUTH Act consent form
# (`Subject.interview_consent`, shown "interview_consent_given" or "interview_consent_declined"),
# which its rules read as the set `subject_records`.
CALIFORNIA_FIELDS = (
    "conviction_serious_or_violent_felony",
    "conviction_state_prison_felony",
    "conviction_listed_offense_felony_within_15y",
    "conviction_listed_offense_wobbler_misdemeanor_within_5y",
    "misdemeanor_conviction",
    "sex_arson_registrant",
    "conviction_federal_aggravated_felony",
    "ice_identified_federal_felony_warrant",
    "held_to_answer_on_qualifying_felony",
    "prop47_reduced_misdemeanor",
    "arrested_for_prop47_misdemeanor",
    "reentry_1326b2",
    "detected_during_unrelated_activity",
)
# ... and the custody information it publishes about the person (`Subject.published_categories`),
# shown "published_release_date", "published_custody_status", "published_custody_facility".
CALIFORNIA = (
    *CALIFORNIA_FIELDS,
    "interview_consent_given",
    "interview_consent_declined",
    *(f"published_{c}" for c in PUBLISHED_CATEGORIES),
)
# Washington's facts from the department's records (RCW 10.93.160(5), (6)(b), (15)), read as
# `subject_records` too.
WASHINGTON = ("on_community_custody", "in_doc_physical_custody", "written_interview_consent")
# Every fact about the subject a fact source may show met, by name.
RECORD_FACTS: tuple[str, ...] = CARVEOUTS + APPLICATIONS + CALIFORNIA + WASHINGTON
# 625 ILCS 5/2-130 bars sharing ALPR data to investigate or enforce a law that denies or interferes
# with reproductive or other lawful health care. Words in any free-text field that speak of such
# care (English or Spanish) make the request's purpose a health-care one: the restrictive reading,
# refused, never guessed at. They are matched on the purpose screen's normalised words (case,
# accents, look-alike letters, digits for letters, spelled-out and doubled spacing undone).
HEALTH_CARE = re.compile(
    r"\b(?:abortion|abortions|abortifacient|aborto|abortos|aborcion|reproductive|salud reproductiva"
    r"|terminat\w* (?:of )?(?:a |her |the )?pregnanc\w*|pregnancy terminat\w*|interrupcion (?:voluntaria )?del embarazo"
    r"|mifepristone|misoprostol|planned parenthood|gender affirming|family planning|planificacion familiar"
    # Care named by what it does rather than by "gender affirming" (reading chi-111: a ban on "gender-
    # transition procedures for minors" is a law that interferes with such care), in both languages.
    r"|gender transition\w*|(?:gender|sex) reassignment|puberty blockers?|cross sex hormones?"
    r"|afirmacion de genero|transicion de genero|reasignacion de (?:sexo|genero)|bloqueadores de (?:la )?pubertad)\b"
)


@dataclass(frozen=True)
class Facts:
    """Everything a Cedar rule may read besides the principal: hashable, so decisions cache on it."""

    immigration_purpose: bool = False
    judicial_warrant: bool = False
    judicial_criminal_warrant: bool = False
    federal_criminal_warrant: bool = False
    # A federal court's criminal warrant its clerk signed, no judge (`policy.courts.clerk_criminal_warrant`):
    # no judicial document; only a rule reading it under a parameter lets it count.
    clerk_criminal_warrant: bool = False
    # A federal court's subpoena its clerk signed, no judge (`policy.courts.clerk_subpoenas`), of the
    # documents that count: no judicial document; only a rule reading it under a parameter lets it count
    # (Oregon's `clerk_subpoenas`). What it names it requires (`process_compels` reads its list too).
    clerk_subpoena: bool = False
    disclosure_order: bool = False
    # The data categories (leaves or groups) a judge's verified document (a warrant, an order, a judicial
    # subpoena; not a grand jury subpoena, the clerk's) names as what it requires the department to
    # disclose (`documents[].compels`): empty when none names any. Descriptive: each law says what a
    # requirement lifts (MCC 2-173-030(a)).
    compelled: frozenset[str] = frozenset()
    # The data categories any verified compulsory paper names as what it requires disclosed (a judge's
    # warrant, order or subpoena, and a grand jury subpoena, the clerk's: `documents[].compels`): empty
    # when none names any. For the laws whose bar yields to any compulsory court-issued process "As may
    # be required" (ORS 181A.823(1)(c)(A)) or to "a lawfully issued court order" (RCW 10.93.160(16)(b)):
    # the process requires what it names and nothing else, whoever issued it.
    process_compels: frozenset[str] = frozenset()
    # A verified command of a judge to produce records: a court order, a judicial subpoena, or a search
    # warrant (MCC 2-173-030(a): "court order, or a lawfully issued judicial warrant"). A grand jury
    # subpoena, which the clerk issues and no judge signs, is a `disclosure_order` but not this.
    judicial_disclosure: bool = False
    # A verified court order or judicial subpoena a judge signed (`JUDGES_ORDERS`): New York's "lawful
    # court order" (VTL §201(9)(c), (10)(c)), which names besides it only an Article III judge's warrant and
    # a subpoena under the CPL or CPLR. A grand jury subpoena, the clerk's, is none of them.
    judges_order: bool = False
    # `compelled`, `judicial_disclosure` and `disclosure_order` read of the verified documents whose
    # court binds the department (`policy.courts.binds`: a federal court, or a court of the home state):
    # what such a document requires, where "required" needs a court the department must obey (MCC
    # 2-173-030(a): "Unless required to do so by statute, federal regulation, court order, or a lawfully
    # issued judicial warrant"; a sister state's court binds no Illinois agency: readings chi-132, chi21-100).
    binding_compelled: frozenset[str] = frozenset()
    binding_disclosure: bool = False
    binding_order: bool = False
    administrative_document: bool = False
    # The request queries a department database (kind database_query), or is an agreement giving direct
    # access to one (`direct_access`).
    database_access: bool = False
    public_data: bool = False  # what is asked the City publishes to everyone (the department's statement only)
    # Some, not all, of what is asked the City publishes to everyone (set by `Pipeline._judgement` when
    # it judges each published category apart): the query itself then asks published data too.
    public_part: bool = False
    # The requester states a criminal purpose (a declared `criminal` category, or words the screen reads
    # as naming a crime): a claim, which a rule may read only where a parameter makes it count.
    criminal_purpose_stated: bool = False
    detainer: bool = False
    clarification: bool = False  # a custody inquiry asking only the nature of the requester's own warrant
    asks_clarification: bool = False  # a custody inquiry asking that nature among its topics (mixed or alone)
    carveout: bool = False
    health_care_purpose: bool = False
    operation_type: str = "none"
    civil_immigration_operation: bool = False
    article_iii_order: bool = False
    # A verified Article III judge's warrant lacking only a criminal matter (`policy.courts.article_iii_civil_warrant`).
    article_iii_civil_warrant: bool = False
    state_court_orders: frozenset[str] = frozenset()
    # The states whose court's order or subpoena a court commissioner signed, no judge
    # (`policy.courts.commissioner_orders`), of the documents that count: no judicial document; only a
    # rule reading it under a parameter lets it count (Washington's `court_commissioner`).
    commissioner_orders: frozenset[str] = frozenset()
    # Whose court issued each verified order or subpoena compelling a disclosure ("US", or a state's code:
    # `policy.courts.order_courts`), read of each paper: Oregon's "As may be required" asks for a
    # compulsory paper of a federal or an Oregon court, never one paper's kind with another's court.
    order_courts: frozenset[str] = frozenset()
    # The states whose court's subpoena, in a criminal matter, a prosecutor subscribed and no judge
    # (`policy.courts.prosecutor_subpoenas`), of the documents that count: descriptive, for each
    # jurisdiction's own definition of a subpoena properly issued (New York's CPL).
    prosecutor_subpoenas: frozenset[str] = frozenset()
    felony_conviction: bool = False  # the department's records show one (never the requester's claim)
    # The request names one person (its subject or its search: `subject_of`); a list or a sweep names none.
    specific_person: bool = False
    # The facts about the subject the department's records show met, that a state's rules read by
    # name: New York's applications (`APPLICATIONS`), California's and Washington's (`CALIFORNIA`,
    # `WASHINGTON`). One home for all of them.
    subject_records: frozenset[str] = frozenset()
    # Descriptive, for each jurisdiction's own definition of immigration enforcement to read: the kinds
    # of federal criminal immigration offence the request names (`policy.immigration_crimes.KINDS`),
    # and the administrative immigration forms it shows ("I-200", "I-247A", "ncic_ivf"), verified or not.
    criminal_immigration: frozenset[str] = frozenset()
    immigration_forms: frozenset[str] = frozenset()
    # A verified judicial document of a federal court, in a criminal matter, that shows a finding of
    # probable cause (a warrant, or an order: California's "judicial probable cause determination").
    federal_probable_cause: bool = False
    # The kinds of federal criminal immigration offence (`policy.immigration_crimes.KINDS`) named by
    # the charge (`documents[].charge`) of such a document: what it was issued for. California's
    # "judicial warrant" and "judicial probable cause determination" are for "a violation of federal
    # criminal immigration law" (Gov. Code §7284.4(h), (i)); empty when none names one.
    federal_probable_cause_charges: frozenset[str] = frozenset()
    # A verified judicial document of a federal court, signed by a judge or a magistrate judge
    # (Washington's "court order", RCW 43.17.420(2): "a judge or magistrate under the authority of
    # Article III"); `article_iii_order` is New York's narrower test (no magistrate judge).
    federal_court_order: bool = False
    # The statutory purposes the request's words name (`policy.stated_purposes.KINDS`): a claim.
    stated_purposes: frozenset[str] = frozenset()
    # A verified written authorization by the person the request is about to share their citizenship
    # or immigration status (MCC 2-173-030(a)(1)); only a request about one person, named by person_id
    # or date of birth (a name alone may be several), can rest on it (`_identifies_one`).
    written_consent: bool = False
    # The agencies whose executed 625 ILCS 5/2-130(c) declaration came, verified, with the request:
    # the requester's (each reading of it), never a beneficiary's. Read with the declarations on file
    # (the agency attribute `alpr_declaration`); as the Cedar set `alpr_declared` of Agency entities.
    alpr_declared: frozenset[str] = frozenset()
    # The requester is a joint task force (registry level "multi"): its primary purpose as the
    # department's registry records it (`agencies.registry.PURPOSES`), "unknown" when not recorded;
    # "none": the requester is not a task force.
    task_force_purpose: str = "none"
    # The person the request is about asks for her own records, bound to the subject by the
    # department (`Pipeline.bind_self`; requester `models.SELF`), and every profile in force speaks
    # to such a request (`PolicyEngine.self_requests`): otherwise False, and the baseline refuses her.
    self_request: bool = False

    @cached_property
    def cedar_context(self) -> dict:
        """The Cedar context record without `home_state` (the engine adds it); computed once per Facts."""
        return {
            "immigration_purpose": self.immigration_purpose,
            "judicial_warrant": self.judicial_warrant,
            "judicial_criminal_warrant": self.judicial_criminal_warrant,
            "federal_criminal_warrant": self.federal_criminal_warrant,
            "clerk_criminal_warrant": self.clerk_criminal_warrant,
            "clerk_subpoena": self.clerk_subpoena,
            "disclosure_order": self.disclosure_order,
            "compelled": [{"__entity": {"type": "Category", "id": c}} for c in sorted(self.compelled)],
            "process_compels": [{"__entity": {"type": "Category", "id": c}} for c in sorted(self.process_compels)],
            "judicial_disclosure": self.judicial_disclosure,
            "judges_order": self.judges_order,
            "binding_compelled": [{"__entity": {"type": "Category", "id": c}} for c in sorted(self.binding_compelled)],
            "binding_disclosure": self.binding_disclosure,
            "binding_order": self.binding_order,
            "administrative_document": self.administrative_document,
            "database_access": self.database_access,
            "public_data": self.public_data,
            "public_part": self.public_part,
            "criminal_purpose_stated": self.criminal_purpose_stated,
            "detainer": self.detainer,
            "clarification": self.clarification,
            "asks_clarification": self.asks_clarification,
            "carveout": self.carveout,
            "health_care_purpose": self.health_care_purpose,
            "operation_type": self.operation_type,
            "civil_immigration_operation": self.civil_immigration_operation,
            "article_iii_order": self.article_iii_order,
            "article_iii_civil_warrant": self.article_iii_civil_warrant,
            "state_court_orders": sorted(self.state_court_orders),
            "commissioner_orders": sorted(self.commissioner_orders),
            "order_courts": sorted(self.order_courts),
            "prosecutor_subpoenas": sorted(self.prosecutor_subpoenas),
            "felony_conviction": self.felony_conviction,
            "subject_records": sorted(self.subject_records),
            "specific_person": self.specific_person,
            "criminal_immigration": sorted(self.criminal_immigration),
            "immigration_forms": sorted(self.immigration_forms),
            "federal_probable_cause": self.federal_probable_cause,
            "federal_probable_cause_charges": sorted(self.federal_probable_cause_charges),
            "federal_court_order": self.federal_court_order,
            "stated_purposes": sorted(self.stated_purposes),
            "task_force_purpose": self.task_force_purpose,
            "self_request": self.self_request,
            "written_consent": self.written_consent,
            "alpr_declared": [{"__entity": {"type": "Agency", "id": a}} for a in sorted(self.alpr_declared)],
        }


@dataclass(frozen=True)
class SubjectFacts:
    """What the department's records say about the subject. `found` False means unknown: the
    restrictive reading (no carve-out is met)."""

    source: str  # where the facts came from, as the decision names it
    found: bool = False
    carveouts: frozenset[str] = frozenset()
    in_custody: bool | None = None
    several: bool = False  # more than one person matches the identity given: where facts decide, refused


class FactSource(Protocol):
    """The department's records, as the pipeline consults them about a request's subject.

    `lookup` raises on a store failure (the pipeline then fails closed)."""

    name: str

    def lookup(self, person_id: str | None, name: str | None, dob: str | None) -> SubjectFacts: ...


NO_SOURCE = SubjectFacts(source="none: no department records consulted; carve-outs read as not met")


IDENTITY = ("person_id", "name", "dob")


@dataclass(frozen=True)
class Identity:
    """Who a request is about, resolved once (`subject_of`): what the facts lookup, the records
    fetch, the egress check and the log's sealed record all use."""

    person_id: str | None = None
    name: str | None = None
    dob: str | None = None
    given: tuple[str, ...] = field(default=(), compare=False)  # the request's fields that named the person

    def as_dict(self) -> dict[str, str]:
        return {k: v for k in IDENTITY if (v := getattr(self, k))}

    def several(self) -> RequestError:
        """The refusal when the department's records know more than one person by this identity and
        facts about the person decide: the facts of one must never open the records of another."""
        named = ", ".join(self.given)
        return RequestError(
            named,
            f"{named} ({_shown(self.as_dict())}) matches more than one person in the department's records, and facts "
            "about the person decide this request: give person_id",
        )


def subject_of(request: Request, *, facts_decide: bool = False) -> Identity | None:
    """The one person a request is about: its subject and the person its search names, which must
    be the same person (None: it names no one). Two places naming a person agree when they share an
    identifier and every identifier both give is equal (names compared without case or spacing);
    otherwise the request is refused, naming both fields: the facts of one person must never open
    the records of another.

    `facts_decide`: a rule in force turns on facts about the person (`PolicyEngine.reads_subject`)
    and the request comes from outside (at the department's own tool, `sanctuary decide`, the
    subject is the department's statement of who the person is: `Pipeline.one_person`). Then the request must name one person and name them alike: places that share no identifier are
    refused, naming both fields (the records alone could say whether they are one person), and so is
    a name with neither a person id nor a date of birth (a search that can return several people).
    Otherwise places that share no identifier are taken together (each identifier narrows the
    search), and a name alone identifies no one for the facts lookup (no carve-out is met)."""
    places: list[tuple[str, dict[str, str]]] = []
    subject = {k: v for k in IDENTITY if (v := getattr(request.subject, k))}
    if subject.keys() & {"person_id", "name"}:
        places.append(("subject", subject))
    search = request.resource.search
    if search is not None and search.type != "plate":
        found = {k: v for k in IDENTITY if (v := getattr(search, k))}
        if found.keys() & {"person_id", "name"}:
            places.append(("resource.search", found))
    if not places:
        return None
    merged: dict[str, str] = {}
    first = places[0][0]
    for where, ids in places:
        shared = merged.keys() & ids.keys()
        if merged and any(_same(k, merged[k]) != _same(k, ids[k]) for k in shared):
            raise RequestError(
                f"{first}, {where}",
                f"{first} ({_shown(places[0][1])}) and {where} ({_shown(ids)}) do not name the same person; "
                "a request is about one person: give the same identifier in both, or only one",
            )
        if merged and facts_decide and not shared:
            raise RequestError(
                f"{first}, {where}",
                f"{first} ({_shown(places[0][1])}) and {where} ({_shown(ids)}) share no identifier, and facts about "
                "the person decide this request: give the same identifier in both, or only one",
            )
        merged.update(ids)
    if facts_decide and merged.keys() == {"name"}:
        named = ", ".join(where for where, _ in places)
        raise RequestError(
            named,
            f"{named} gives a name alone, which can match more than one person, and facts about the person "
            "decide this request: give person_id, or name and dob",
        )
    return Identity(**merged, given=tuple(where for where, _ in places))


def _same(key: str, value: str) -> str:
    return " ".join(value.split()).casefold() if key == "name" else value.strip()


def _shown(ids: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in ids.items())


def _names_one(request: Request) -> bool:
    try:
        return subject_of(request) is not None
    except RequestError:  # two people: refused before any fact is read (Pipeline.decide)
        return False


# MCC 2-173-030(a)(1): the authorization is given "by the individual to whom such information pertains,
# or if such individual is a minor or is otherwise not legally competent, by such individual's parent or
# guardian". A consent paper whose own words show it signed by someone else (its signer or title names a
# parent, a guardian or another relation; its text speaks of "my son" or "his mother") is not the
# person's: a parent's or guardian's counts only for a person under 18 by the date of birth the request
# gives (at the department's own tool, its records; "minor" is not defined in chapter 2-173, and 18, the
# age of majority in Illinois, is not among the kept sources: docs/law/chicago-ordinance.md); another's
# never, nor a guardian's for an adult (no record says a person is "not legally competent"). Verification
# proves a signature; the paper's words can only take a consent away (reading rows chi-123, chi-124).
_PARENT_SIGNER = re.compile(r"\b(?:mother|father|parents?|guardians?|stepmother|stepfather|madre|padre|padres|tutora?)\b")
_OTHER_SIGNER = re.compile(
    r"\b(?:wife|husband|spouse|partner|brother|sister|sibling|son|daughter|child|friend|employer|attorney"
    r"|lawyer|counsel|esposa|esposo|hermano|hermana|hijo|hija|abogado|abogada|on (?:his|her|their) behalf)\b"
)
_PARENT_TEXT = re.compile(
    r"\b(?:my (?:son|daughter|child|children|ward)|mi (?:hijo|hija)|(?:his|her|their) (?:mother|father|parents?|guardian)"
    r"|su (?:madre|padre|tutora?))\b"
)
ADULT_AGE = 18


def _consent_signers(request: Request) -> frozenset[str]:
    """Who each written consent's own words show signed it: "parent" (a parent or guardian), "other"
    (someone else), "person" (nothing shows another signer)."""
    found = set()
    for d in request.documents:
        if d.type != CONSENT:
            continue
        signer = normalize(" ".join(filter(None, (d.signed_by, d.signer_title)))).words
        text = normalize(d.text or "").words
        if _PARENT_SIGNER.search(signer) or _PARENT_TEXT.search(text):
            found.add("parent")
        elif _OTHER_SIGNER.search(signer):
            found.add("other")
        else:
            found.add("person")
    return frozenset(found)


def _minor(request: Request, today: date | None = None) -> bool:
    """The person the request is about is under 18 by the date of birth it gives (False where it gives
    none, or none that reads as a date: the protective reading)."""
    try:
        who = subject_of(request)
        born = date.fromisoformat(who.dob) if who is not None and who.dob else None
    except (RequestError, ValueError):
        return False
    if born is None:
        return False
    today = today or datetime.now(UTC).date()
    return (today.year - born.year - ((today.month, today.day) < (born.month, born.day))) < ADULT_AGE


def _consent_counts(request: Request) -> bool:
    """Every written consent the request carries is the person's own, or a parent's or guardian's for a
    minor (MCC 2-173-030(a)(1)); one that is neither takes the consent away (fail closed)."""
    signers = _consent_signers(request)
    return "other" not in signers and ("parent" not in signers or _minor(request))


def _identifies_one(request: Request) -> bool:
    """The request names one person by what tells people apart (a person_id or a date of birth): a
    name alone may be several people (`subject_of`), and a written consent speaks for one."""
    try:
        who = subject_of(request)
    except RequestError:
        return False
    return who is not None and bool(who.person_id or who.dob)


def claimed_carveouts(subject: Subject) -> frozenset[str]:
    """The facts a statement about the subject asserts (`RECORD_FACTS`): the 2-173-042(c) carve-outs
    (2012 law), New York's applications (`APPLICATIONS`), California's (`CALIFORNIA`) and Washington's
    (`WASHINGTON`) facts."""
    met = {
        **{name: getattr(subject, name) for name in (*APPLICATIONS, *CALIFORNIA_FIELDS, *WASHINGTON)},
        **{f"interview_consent_{answer}": subject.interview_consent == answer for answer in ("given", "declined")},
        **{f"published_{category}": category in subject.published_categories for category in PUBLISHED_CATEGORIES},
        "outstanding_criminal_warrant": subject.outstanding_criminal_warrant,  # a civil warrant only is none
        "felony_conviction": subject.felony_conviction and not subject.felony_conviction_foreign_court_only,
        "pending_felony_charge": subject.pending_felony_charge,
        "gang_member": subject.gang_database,
        # Open in the words retrieved (parameter chicago-2012.dropped_carveouts): whether (c)(4) reaches
        # a gang member by own admission, not in the database; whether (c)(2)'s "any court of competent
        # jurisdiction" reaches a foreign court and "convicted" a juvenile adjudication; whether (c)(3)'s
        # "a defendant in a criminal case" (its end not retrieved) reaches a misdemeanor case.
        "gang_admission": subject.gang_admission and not subject.gang_database,
        "felony_conviction_foreign_court": subject.felony_conviction_foreign_court_only,
        "juvenile_felony_adjudication": subject.juvenile_felony_adjudication_only,
        "pending_misdemeanor_charge": subject.pending_misdemeanor_charge,
    }
    return frozenset(name for name, hit in met.items() if hit)


def claims_of(request: Request) -> list[str]:
    """What the request asserts that only the department's records or a verified document can
    establish: facts about the subject and documents held. Recorded, never decisive."""
    claims = [f"subject.{name}" for name in CARVEOUT_FIELDS if getattr(request.subject, name)]
    claims += ["resource.publicly_available_to_anyone"] if request.resource.publicly_available_to_anyone else []
    claims += ["resource.publicly_available_fields"] if request.resource.publicly_available_fields else []
    claims += [f"documents[{i}]: {d.type}" for i, d in enumerate(request.documents)]
    return claims


# Every free-text field of the request contract: each goes through the purpose screen. Derived from
# the models: every string field that `models.NotText` does not mark as an identifier or a closed value.
FREE_TEXT: tuple[str, ...] = tuple(path for path, mark in string_fields(Request) if mark is None)


def free_text(request: Request, attested: Collection[Document] = ()) -> dict[str, str]:
    """The text of every FREE_TEXT field the request fills, by where it is ("documents[0].text").
    `attested`: verified documents; the text of each that is an attestation (a written consent, an
    ALPR declaration: `ATTESTATIONS`) is set aside. Once verified, its words are what it attests (an
    affirmation must name the purposes it forswears), not the request's purpose; unverified, a claim,
    they are read with the rest (fail closed). A person's own request (requester `SELF`) is entered by the
    department, never by a requester: its `requester.officer` is the department's statement of its
    identity check (at the desk, the signed-in user who vouches and the identification looked at), not
    words of a purpose, so it is set aside: a desk user's name that reads as an agency ("ice") or as
    immigration words must not turn her request into an agency's or hold it for review."""
    found = {where: text for path in FREE_TEXT for where, text in strings_at(request, path)}
    if request.requester.agency == SELF:
        found.pop("requester.officer", None)
    for i, d in enumerate(request.documents):
        if d.type in ATTESTATIONS and d in attested:
            found.pop(f"documents[{i}].text", None)
    return found


# The arrangements other than access to the department's data that an agreement's words may name
# (`policy.stated_purposes.KINDS`).
# Not among them, so that words read as an agreement of unknown nature before still are (a change may
# only close): a deputation (`deputation`: what it grants is the requester's word, reading chi21-86, a
# Title 19 designation), a Title 8 designation (`immigration_designation`: refused wherever an
# enforcement agreement is) and housing anyone's detainees (`detainee_housing`: California's (a)(6)).
OTHER_ARRANGEMENTS = frozenset({"enforcement_agreement", "detention_agreement", "language_services", "office_space"})
# Words by which an agreement's text names access to the department's data, whatever else it names.
_DATA_ACCESS = re.compile(
    r"\b(?:data|databases?|data-sharing|records?|systems?|platforms?|portals?|quer(?:y|ies)|look-?ups?|searche?s?)\b", re.IGNORECASE
)


def direct_access(request: Request, stated: frozenset[str] | None = None) -> bool:
    """Whether the request is an agreement giving the requester direct access to the department's data
    (MCC 2-173-030(b): "direct access to any electronic database or other data-sharing platform"): one
    that names a system (`resource.system`), whose words name access to data (records, a database, a
    system, searches: `_DATA_ACCESS`) beside whatever else they name (an interpreter agreement "with
    read access to your records" is one), or whose words name no other arrangement (a 287(g)
    agreement, detention, language services, office space): an arrangement of unknown nature is read
    as one that may open anything, the protective reading. `stated`: the purposes its words name, if
    already read (`stated_purposes`)."""
    if request.kind is not Kind.agreement:
        return False
    if request.resource.system is not None:
        return True
    words = free_text(request).values()
    named = stated_purposes(words) if stated is None else stated
    return not named & OTHER_ARRANGEMENTS or any(_DATA_ACCESS.search(text) for text in words)


@lru_cache(maxsize=1 << 14)
def _health_care(text: str) -> bool:
    return HEALTH_CARE.search(normalize(text).words) is not None


class _Required(NamedTuple):
    compelled: frozenset[str]  # the categories a judge's paper names as required (a grand jury subpoena's list not read)
    disclosure: bool  # a judge's command to produce: a court order, a judicial subpoena, a search warrant
    order: bool  # any compulsory paper: those, or a grand jury subpoena


def _required(papers: Sequence[DocumentClass]) -> _Required:
    """What verified judicial papers require of the department: read of them all (`compelled`,
    `judicial_disclosure`, `disclosure_order`) and of those whose court binds it (`binding_*`)."""
    return _Required(
        compelled=frozenset(c for d in papers if d.type not in CLERKS_SUBPOENAS for c in d.compels),
        disclosure=any(d.type in JUDGES_ORDERS or d.search for d in papers),
        order=any(d.type in COMPULSORY for d in papers),
    )


def derive(
    request: Request,
    *,
    purpose: PurposeScreen,
    acting: Iterable[Agency],
    documents: Iterable[DocumentClass],
    carveouts: frozenset[str] = frozenset(),
    dropped_carveouts: frozenset[str] = frozenset(),
    stated_crime: bool = STATED_CRIME,
    public_data: bool = False,
    requester: Agency | None = None,
    self_request: bool = False,
    declaring: frozenset[str] = frozenset(),
    attested: Collection[Document] = (),
    home_state: str | None = None,
) -> Facts:
    """The facts of one request.

    `purpose`: the screen of its words (`pipeline.screen_request`: an agency named is a party, not a
    purpose). `acting`: every agency the request is judged as (each reading of the requester and of each
    beneficiary). `documents`: the documents that count — verified ones lift rules; an unverified
    document only ever counts as an administrative basis (which lifts nothing). `carveouts`: those
    the department's records (or, at the department's own tool, its statement) establish: every met
    fact about the subject (`RECORD_FACTS`), of which the 2012 carve-outs lift that law's rules, New
    York's applications and California's and Washington's facts (`subject_records`) theirs.
    `stated_crime`: a criminal purpose the requester states (declared, or in words) lifts the 287(g)/ERO
    presumption (`policy.immigration.STATED_CRIME`; the jurisdiction's choice, `PolicyEngine.stated_crime`).
    `public_data`: the department states that what is asked is published to everyone (a requester's
    `resource.publicly_available_to_anyone` is a claim: the pipeline passes it only as the department's own).
    `requester`: the agency its credential speaks for; a joint task force's recorded primary purpose
    is a fact (`task_force_purpose`).
    `self_request`: the subject asks for her own records, bound to her by the department (`Pipeline.bind_self`).
    `declaring`: the agencies the request really comes from (each reading of the requester): whom an
    ALPR declaration among `documents` is for (a beneficiary's is never shown by it). `attested`: the
    verified documents whose attestation text is not the request's words (`free_text`). `home_state`: the
    state of the law in force, whose courts bind the department besides the federal courts (`binding_*`);
    None: only a federal court's do."""
    docs = list(documents)
    words = free_text(request, attested)  # read by three facts below: walked once
    verified = [d for d in docs if d.judicial and not d.administrative]
    judicial_criminal = [d for d in verified if d.criminal and d.type == "judicial_warrant"]
    probable_cause = [d for d in verified if d.federal and d.criminal and "probable_cause" not in d.missing]
    immigration = immigration_purpose(
        declared=request.purpose.category,
        screened=purpose.category,
        acting=acting,
        criminal_case=any(d.criminal for d in verified),
        stated_crime=stated_crime,
    )
    op = request.operation
    stated = stated_purposes(words.values())
    judges_order = any(d.type in JUDGES_ORDERS for d in verified)
    clerks = clerk_subpoenas(docs)
    commissioners = commissioner_papers(docs)
    required = _required(verified)
    binding = _required([d for d in verified if binds(d, home_state)])
    return Facts(
        immigration_purpose=immigration.immigration,
        judicial_warrant=bool(verified),
        judicial_criminal_warrant=bool(judicial_criminal),
        federal_criminal_warrant=any(d.federal for d in judicial_criminal),
        clerk_criminal_warrant=clerk_criminal_warrant(docs),
        clerk_subpoena=bool(clerks),
        disclosure_order=required.order,
        compelled=required.compelled,
        process_compels=frozenset(c for d in [*verified, *clerks, *commissioners] for c in d.compels),
        judicial_disclosure=required.disclosure,
        judges_order=judges_order,
        binding_compelled=binding.compelled,
        binding_disclosure=binding.disclosure,
        binding_order=binding.order,
        administrative_document=any(d.administrative for d in docs),
        database_access=request.kind is Kind.database_query or direct_access(request, stated),
        public_data=public_data,
        criminal_purpose_stated="criminal" in (request.purpose.category, purpose.category),
        detainer=any(d.detainer for d in docs),
        clarification=clarification(request),
        asks_clarification=asks_clarification(request),
        carveout=bool(carveouts.intersection(CARVEOUTS) - dropped_carveouts),
        health_care_purpose=any(_health_care(text) for text in words.values()),
        operation_type=op.type if op else "none",
        civil_immigration_operation=bool(op and op.civil_immigration),
        article_iii_order=article_iii_order(verified),
        article_iii_civil_warrant=article_iii_civil_warrant(docs),
        state_court_orders=state_court_orders(verified),
        commissioner_orders=commissioner_orders(commissioners),
        order_courts=order_courts(verified),
        prosecutor_subpoenas=prosecutor_subpoenas(docs),
        felony_conviction="felony_conviction" in carveouts,
        subject_records=carveouts.intersection(APPLICATIONS + CALIFORNIA + WASHINGTON),
        specific_person=_names_one(request),
        criminal_immigration=criminal_immigration(words.values()),  # every document's text is among them
        immigration_forms=frozenset(d.type for d in docs if d.administrative),
        federal_probable_cause=bool(probable_cause),
        federal_probable_cause_charges=criminal_immigration(d.charge for d in probable_cause),
        federal_court_order=any(d.federal for d in verified),
        stated_purposes=stated,
        task_force_purpose=_task_force_purpose(requester),
        self_request=self_request,
        written_consent=any(d.type == CONSENT for d in docs) and _identifies_one(request) and _consent_counts(request),
        alpr_declared=declaring if any(d.type == DECLARATION for d in docs) else frozenset(),
    )


def _task_force_purpose(requester: Agency | None) -> str:
    if requester is None or requester.level != "multi":
        return "none"
    return requester.primary_purpose or "unknown"
