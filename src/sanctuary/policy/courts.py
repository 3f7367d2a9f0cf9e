"""Which court issued a judicial document: the facts behind "a judge appointed under Article III"
(New York VTL §201(12), Washington RCW 43.17.420) and "a court of this state" (Washington art. IV).

Read from what a document that counts shows (only verified documents reach the facts) — the court
and the signer, declared or found in its text (DocumentClass.court, .signer) — and
read narrowly, so that an exception never opens on a doubt: a magistrate judge is not an Article III
judge, and a court whose name names more than one state belongs to no state.

A Washington court is recognised by its kind (RCW 43.17.420(2): a judge "under the authority of ...
Article IV of the Washington Constitution"): a supreme court, court of appeals, superior, district
or municipal court, named with the State of Washington or with a county only Washington has (King
County Superior Court, Spokane County District Court). A court of another kind (a circuit or county
court) is not Washington's whatever its name says, nor is one of a county whose name other states'
counties share (Pierce, Adams, Lincoln ...) unless it names the state: the doubt stays closed.
"Washington County" and "Washington, D.C." do not name the state.

An Illinois court is recognised by its state named, or as the Circuit Court of Cook County (Illinois's
trial courts are circuit courts; Georgia's and Minnesota's Cook Counties have a superior and a district
court, and no other state has a Cook County): any other court naming no state belongs to none.

Whose process binds the department (`binds`): a federal court's, or a court of the department's own
state. A sister state's court has no power over an agency of another state; its order, warrant or
subpoena requires nothing of it until a court of that agency's state issues its own (Oregon's
"As may be required", ORS 181A.823(1)(c)(A), reading or-71; Chicago's "Unless required to do so by
statute, federal regulation, court order, or a lawfully issued judicial warrant", MCC 2-173-030(a),
readings chi-132, chi21-100). A court whose state the document does not show binds no one (the
doubt stays closed).

A prosecutor's subpoena (New York CPL 610.20(2): a district attorney, as an officer of a criminal
court in which he is conducting the prosecution, "may issue a subpoena of such court, subscribed by
himself", "for the attendance in such court or a grand jury thereof") is a court's subpoena no judge
signed, for the court or its grand jury: `prosecutor_subpoenas` says of which state's court,
read as above; whether one counts is each jurisdiction's own definition (New York VTL §201(9)(c),
(10)(c): a subpoena "properly issued pursuant to the criminal procedure law").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sanctuary.agencies.states import NAMES
from sanctuary.screening import DocumentClass
from sanctuary.screening.documents import COMPULSORY, COURT_OF_APPEALS, COURT_OF_INTERNATIONAL_TRADE, DISTRICT_COURT, SUPREME_COURT

_MAGISTRATE = re.compile(r"\bmagistrate\b", re.IGNORECASE)
# The federal courts established under Article III, by name (a pattern of the plain words: the names are
# sanctuary.screening.documents', whose FEDERAL_COURTS decide a document is federal), each with what it
# rests on. A court not named (the Court of Federal Claims, 28 U.S.C. 171: article I; the Tax
# Court; bankruptcy courts; territorial district courts; immigration courts) is not one: the doubt
# stays closed.
ARTICLE_III_COURTS: dict[str, str] = {
    SUPREME_COURT: "U.S. Const. art. III, §1 (the supreme Court)",
    DISTRICT_COURT: "U.S. Const. art. III, §1 (an inferior court Congress established: 28 U.S.C. ch. 5)",
    COURT_OF_APPEALS: "U.S. Const. art. III, §1 (an inferior court Congress established: 28 U.S.C. ch. 3)",
    COURT_OF_INTERNATIONAL_TRADE: (
        "28 U.S.C. 251(a): 'The court is a court established under article III of the Constitution of the "
        "United States' (docs/law/sources/us-28usc251)"
    ),
}
_ARTICLE_III_COURT = re.compile("|".join(rf"\b{name}\b" for name in ARTICLE_III_COURTS), re.IGNORECASE)
_STATE = {code: re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE) for code, name in NAMES.items()}
_STATE["WA"] = re.compile(r"\bwashington\b(?!\s+county)(?!,?\s*d\.?\s?c\b)", re.IGNORECASE)
_WA_KIND = re.compile(r"\b(?:supreme\s+court|court\s+of\s+appeals|superior\s+court|district\s+court|municipal\s+court)\b", re.IGNORECASE)
# Washington's counties whose names no other state's county shares, so that the name places the court
# (King County, Texas, aside: Texas has no superior or municipal courts, and names its district courts
# by number, "50th District Court").
_WA_COUNTY = (
    r"asotin|chelan|clallam|cowlitz|ferry|grays\s+harbor|island|king|kitsap|kittitas|klickitat|okanogan|pacific"
    r"|pend\s+oreille|skagit|skamania|snohomish|spokane|wahkiakum|walla\s+walla|whatcom|whitman|yakima"
)
_FEDERAL = re.compile(r"\b(?:united states|u\.\s?s\.)|\bfederal\b", re.IGNORECASE)
_PROSECUTOR = re.compile(r"\bdistrict\s+attorney\b|\bprosecutor\b", re.IGNORECASE)
_WA_PLACE = re.compile(rf"\b(?:{_WA_COUNTY})\s+county\b|\bcounty\s+of\s+(?:{_WA_COUNTY})\b", re.IGNORECASE)
# The Circuit Court of Cook County: Illinois's by its kind and place (the module says why).
_IL_PLACE = re.compile(r"\bcircuit\s+court\s+(?:of|for)\s+cook\s+county\b|\bcook\s+county\s+circuit\s+court\b", re.IGNORECASE)


def article_iii_order(documents: Iterable[DocumentClass]) -> bool:
    """A court order or judicial warrant (VTL §201(12)(a): "a lawful court order or judicial warrant
    signed by a judge appointed pursuant to article III"; a subpoena is neither) of a federal Article
    III court, signed by a judge who is not a magistrate judge."""
    return any(
        d.judicial
        and d.type in ("court_order", "judicial_warrant")
        and d.federal
        and _ARTICLE_III_COURT.search(d.court)
        and d.signer
        and not _MAGISTRATE.search(f"{d.signer} {d.court}")
        for d in documents
    )


def article_iii_civil_warrant(documents: Iterable[DocumentClass]) -> bool:
    """A warrant of a federal Article III court, signed by a judge who is not a magistrate judge, that
    lacks of a judicial warrant only a criminal matter (a civil in rem seizure warrant): no judicial
    document, descriptive only. VTL §201(12)(a)'s "judicial warrant signed by a judge appointed
    pursuant to article III" names no criminal matter; only a rule reading it under a parameter
    (`new-york-dmv.civil_warrants`) lets it count."""
    return any(
        not d.judicial
        and not d.administrative
        and d.type == "judicial_warrant"
        and set(d.missing) == {"criminal"}
        and _FEDERAL.search(d.court)  # DocumentClass.federal is read of a criminal warrant only
        and _ARTICLE_III_COURT.search(d.court)
        and d.signer
        and not _MAGISTRATE.search(f"{d.signer} {d.court}")
        for d in documents
    )


_CLERK = re.compile(r"\bclerk\b", re.IGNORECASE)


def clerk_criminal_warrant(documents: Iterable[DocumentClass]) -> bool:
    """A warrant of a federal court established under Article III (ARTICLE_III_COURTS: a U.S. district
    court ...) in a criminal matter that the court's clerk signed, no judge: no judicial document (a
    judicial warrant needs a judge's signature), descriptive only, for a rule that asks whether a
    warrant is "properly issued" rather than who signed it (the proposed Chicago order's point 2, read
    with a parameter; reading chi19e-80). Never an administrative form."""
    return any(d.type == "judicial_warrant" and d.criminal and _clerks(d) for d in documents)


def clerk_subpoenas(documents: Iterable[DocumentClass]) -> list[DocumentClass]:
    """The subpoenas of a federal court established under Article III (ARTICLE_III_COURTS) that the
    court's clerk signed, no judge (a civil subpoena the clerk issues for a pending action): no judicial
    document (a judicial subpoena needs a judge's signature), descriptive only, for a rule that asks
    whether a subpoena is "issued as part of a court proceeding" or "court-issued" rather than who signed
    it (ORS 181A.823(1)(c)(A), read with a parameter; reading or-87). Never an administrative form."""
    return [d for d in documents if d.type == "judicial_subpoena" and _clerks(d)]


def _clerks(document: DocumentClass) -> bool:
    """A paper of a federal court established under Article III that the court's clerk signed, never an
    administrative form."""
    return not document.administrative and bool(_ARTICLE_III_COURT.search(document.court)) and bool(_CLERK.search(document.signer))


def state_court_orders(documents: Iterable[DocumentClass]) -> frozenset[str]:
    """Two-letter codes of the states whose courts issued a judicial document (one state named, no other;
    Washington's by its kind and place, as the module says)."""
    return frozenset(state for d in documents if d.judicial and not d.federal and (state := _state_of(d.court)))


_COMMISSIONER = re.compile(r"\bcommissioner\b", re.IGNORECASE)
_IMMIGRATION = re.compile(r"immigration", re.IGNORECASE)


def commissioner_papers(documents: Iterable[DocumentClass]) -> list[DocumentClass]:
    """The orders and subpoenas of a state's court that a court commissioner signed, no judge (a superior
    court commissioner's order): no judicial document (an order needs a judge's or a magistrate's
    signature), descriptive only, for a rule that asks whether a commissioner is "a judge or magistrate"
    (RCW 43.17.420(2), read with a parameter; reading wa-99). Never an administrative form, never an
    immigration official's, and only of a court whose state is shown."""
    return [
        d
        for d in documents
        if d.type in ("court_order", "judicial_subpoena")
        and not d.administrative
        and _COMMISSIONER.search(d.signer)
        and not _IMMIGRATION.search(f"{d.signer} {d.court}")
        and not _FEDERAL.search(d.court)
        and _state_of(d.court)
    ]


def commissioner_orders(papers: Iterable[DocumentClass]) -> frozenset[str]:
    """Two-letter codes of the states whose court issued the commissioners' papers (`commissioner_papers`)."""
    return frozenset(state for d in papers if (state := _state_of(d.court)))


def order_courts(documents: Iterable[DocumentClass]) -> frozenset[str]:
    """Whose court issued each verified order or subpoena that compels a disclosure (`COMPULSORY`: a court
    order, a judicial or a grand jury subpoena): "US" for a federal court's, else the two-letter code of
    the state whose court it is (as `state_court_orders` reads it; one whose state is not shown gives
    none). Read of each document, so that a rule asking for a compulsory paper of a federal or an Oregon
    court never pairs one paper's kind with another's court (a sister state's subpoena beside a federal
    arrest warrant is neither)."""
    return frozenset(
        court
        for d in documents
        if d.judicial and (d.type in COMPULSORY or d.search) and (court := "US" if d.federal else _state_of(d.court))
    )


# The subpoenas a prosecutor may subscribe: a court's, and one for its grand jury (CPL 610.20(2): "a
# subpoena of such court, subscribed by himself, for the attendance in such court or a grand jury
# thereof"; reading ny-86). A federal grand jury subpoena is the clerk's: its court is federal.
PROSECUTORS_SUBPOENAS = frozenset({"judicial_subpoena", "grand_jury_subpoena"})


def prosecutor_subpoenas(documents: Iterable[DocumentClass]) -> frozenset[str]:
    """Two-letter codes of the states whose court's subpoena (for the court or its grand jury), in a
    criminal matter, a prosecutor subscribed (a district attorney, an assistant or another prosecutor:
    CPL 610.20(2)), and no judge: a state court named (a federal court's is not), the signer a
    prosecutor, never an administrative form. Only documents that count reach here (verified, or the
    department's own input)."""
    return frozenset(
        state
        for d in documents
        if d.type in PROSECUTORS_SUBPOENAS
        and not d.administrative
        and not _FEDERAL.search(d.court)
        and d.criminal
        and _PROSECUTOR.search(d.signer)
        and (state := _state_of(d.court))
    )


def binds(document: DocumentClass, home_state: str | None) -> bool:
    """Whether a judicial document's court has power over a department of `home_state`: a federal
    court's (its process runs in every state), or a court of that state (one state named, no other;
    Washington's and Illinois's also by their kind and place). A sister state's court, or one whose
    state is not shown, binds none: "required" (MCC 2-173-030(a); ORS 181A.823(1)(c)(A)) needs a
    court the department must obey. None: no state is home, and only a federal court binds."""
    return document.judicial and (document.federal or (home_state is not None and _state_of(document.court) == home_state))


def _state_of(court: str) -> str | None:
    """The state whose court this is (one state named, no other; Washington's and Illinois's by their
    kind and place)."""
    named = [code for code, pattern in _STATE.items() if pattern.search(court)]
    if named == ["WA"] or (not named and _WA_PLACE.search(court)):
        return "WA" if _WA_KIND.search(court) else None
    if not named and _IL_PLACE.search(court):
        return "IL"
    return named[0] if len(named) == 1 else None
