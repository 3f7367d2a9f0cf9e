"""Is a request for civil immigration enforcement? The one answer, the ground it rests on, and who asked, apart from it.

`immigration_purpose` is the predicate every part of sanctuary uses: the pipeline (the fact
`immigration_purpose` the rules read, `policy.facts.derive`, recorded with the decision), the retro
audit (the flags IMMIGRATION_PURPOSE and PRESUMED_IMMIGRATION, `retro.flags`), and the reports written
from the decision log (the public record's immigration count, the duties reports), which read the
decision's own fact from its log entry (`recorded`). The definition (docs/profiles.md, "Shared
definitions"), each part a `Ground`, the strongest first:

- `declared`: a declared `civil_immigration` purpose category (a claim, recorded);
- `words`: words that the purpose screen reads as civil immigration enforcement, or a form it names
  (an agency's name alone is not a purpose: `by_words`), unless a verified judicial document in a
  criminal matter (a warrant, or an order such as a writ ad prosequendum) shows the case is criminal (an 8 U.S.C. 1324/1326 prosecution): evidence in the request itself;
- `mission`: an agency judged (the requester, or one it asks for, in each of their readings) whose
  work is civil immigration enforcement itself (registry flag `civil_immigration_mission`: ERO; a
  request from "ICE" may be ERO's), unless a criminal purpose is shown;
- `287g`: an agency judged whose officers act for ICE under a 287(g) agreement (`has_287g`),
  unless a criminal purpose is shown.

A criminal purpose is shown by a verified judicial document in a criminal matter (evidence) and, only where
`stated_crime` holds, by a criminal purpose the requester states: a declared `criminal` category or
words the screen reads as naming a crime. Both are claims, recorded, and treated alike. Whether a
claim lifts the presumption is a legal choice each jurisdiction makes from its own text: the
profile parameter `<profile>.stated_purpose` (`lifts_presumption`; `PolicyEngine.stated_crime`),
restrictive by default (`STATED_CRIME`: the presumption stands until a document shows the case is
criminal). The screen's reading of a crime is a claim in any case: a bare "warrant" names no crime
(ICE issues administrative warrants: I-200, I-205).

Each caller says which grounds it acts on (`Verdict.on`): the gate on every one (`GATE`: restrictive
when in doubt: "may we grant this?"); the retro audit ("did this happen?") calls the predicate once
for the words of a row and once for the organisation that searched, and only evidence in the row
itself is IMMIGRATION_PURPOSE (`words`; `mission` where the words name an immigration agency, ICE or
ERO, as the one served), while a presumption (the searcher's own 287(g) agreement or ERO mission; the
words naming DHS or a 287(g) agency) is the weaker PRESUMED_IMMIGRATION.

*Who asked* is a different question (`immigration_agency`): a request from, or on behalf of, an agency
the registry flags `immigration_enforcement` (ICE, CBP, USCIS and every unit under them), whatever
its purpose. HSI asking with a verified criminal warrant is a request from an immigration agency that
is not for civil immigration enforcement; a 287(g) sheriff asking with no purpose shown is the
reverse. Reports that count both say which they count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sanctuary.screening.purpose import CIVIL_IMMIGRATION, NEEDS_REVIEW

if TYPE_CHECKING:
    from sanctuary.agencies import Agency, Registry
    from sanctuary.screening import PurposeScreen

# Evidence of the purpose screen that is not about immigration enforcement itself: an agency's name,
# a crime, a vague reason.
NOT_IMMIGRATION_EVIDENCE = ("agency:", "criminal:", "vague:")
# The key of a decision log entry (format 3 on) that holds the decision's fact.
ENTRY_KEY = "immigration_purpose"
# The `Failure` codes that always refuse a request before its facts are derived (codes, so that the
# retro audit and the pages need not load the request models).
BEFORE_FACTS = frozenset({"input", "unreadable", "identity", "unregistered"})
# Whether a criminal purpose the requester states (a declared `criminal` category, or words the
# purpose screen reads as naming a crime: both claims, both recorded) lifts the `mission` and `287g`
# grounds. The default, restrictive: it does not (a verified judicial criminal document does); a
# jurisdiction whose text says otherwise turns it on (`PolicyEngine.stated_crime`); the retro audit
# ("did this happen?") passes its own choice and counts a crime its rows name.
STATED_CRIME = False
CRIMINAL = "criminal"


class Ground(StrEnum):
    """What an immigration answer rests on, the strongest first."""

    DECLARED = "declared"  # the request declares a civil immigration purpose (a claim, recorded)
    WORDS = "words"  # its words, or a form they name, read as civil immigration enforcement
    MISSION = "mission"  # an agency judged may be ERO, whose work it is; no criminal purpose shown
    AGREEMENT = "287g"  # an agency judged acts for ICE under a 287(g) agreement; no criminal purpose shown


GATE = frozenset(Ground)  # the gate acts on every ground: restrictive when in doubt


@dataclass(frozen=True)
class Verdict:
    """The answer, the ground it rests on (None: not immigration), and why, in a sentence."""

    immigration: bool
    reason: str
    ground: Ground | None = None

    def on(self, grounds: Iterable[Ground]) -> bool:
        """Whether the answer is immigration on one of `grounds` (the ones a caller acts on)."""
        return self.ground is not None and self.ground in frozenset(grounds)


def immigration_purpose(
    *,
    declared: str | None,
    screened: str | None,
    acting: Iterable[Agency],
    criminal_case: bool = False,
    stated_crime: bool = STATED_CRIME,
) -> Verdict:
    """Whether a request is for civil immigration enforcement, and on which ground (see the module
    docstring).

    `declared`: the purpose category the request declares (None: none). `screened`: the category of
    its words (`by_words` of the purpose screen; None: no text). `acting`: every agency it is judged
    as. `criminal_case`: a verified judicial document in a criminal matter (a warrant, or an order
    such as a writ ad prosequendum) counts for it. `stated_crime`: a
    criminal purpose the requester states (declared, or in words) shows one (`STATED_CRIME`)."""
    if declared == CIVIL_IMMIGRATION:
        return Verdict(True, "the declared purpose is civil immigration enforcement", Ground.DECLARED)
    if screened == CIVIL_IMMIGRATION and not criminal_case:
        return Verdict(True, "the words of the request state a civil immigration purpose", Ground.WORDS)
    units = [a for a in acting if a.civil_immigration_mission or a.has_287g]
    if units:
        why = "; ".join(
            f"{a.id} {'acts for ICE under a 287(g) agreement' if a.has_287g else 'does civil immigration enforcement'}" for a in units
        )
        if criminal_case:
            return Verdict(False, f"{why}, but a verified judicial document in a criminal matter shows a criminal purpose")
        if stated_crime and declared == CRIMINAL:
            return Verdict(False, f"{why}, but the declared purpose is criminal")
        if stated_crime and screened == CRIMINAL:
            return Verdict(False, f"{why}, but the words name a crime: a criminal purpose is shown")
        ground = Ground.MISSION if any(a.civil_immigration_mission for a in units) else Ground.AGREEMENT
        return Verdict(True, f"{why}, and no criminal purpose is shown", ground)
    if screened == CIVIL_IMMIGRATION:
        return Verdict(False, "the words read as immigration, but a verified judicial document in a criminal matter shows a criminal case")
    return Verdict(
        False, "no immigration purpose: none declared, none in the words, no agency judged whose work is civil immigration enforcement"
    )


def immigration_agency(parties: Iterable[str | None], registry: Registry) -> bool:
    """Who asked: any of `parties` (registry ids of the requester and of those it asks for) is an
    immigration-enforcement agency (registry flag `immigration_enforcement`, inherited by every
    unit: ICE, CBP, USCIS and their units), whatever the purpose. An id the registry does not hold
    is not one."""
    return any(agency.immigration_enforcement for agency in _known(registry, parties))


def by_words(purpose: PurposeScreen) -> PurposeScreen:
    """The screen with the category its words give: a screen that flags immigration (or asks for
    review) only because an agency is named says who the request serves, not what it is for (the
    pipeline judges that agency as if it had asked), so its category is `criminal` when a crime is
    named, else `other`."""
    if purpose.category not in (CIVIL_IMMIGRATION, NEEDS_REVIEW):
        return purpose
    if any(not e.rule.startswith(NOT_IMMIGRATION_EVIDENCE) for e in purpose.evidence):
        return purpose
    crime = any(e.rule.startswith("criminal:") for e in purpose.evidence)
    return replace(purpose, category="criminal" if crime else "other")


def recorded(entry: Mapping[str, Any], registry: Registry) -> bool:
    """The decision's fact as a decision log entry records it (`ENTRY_KEY`, format 3 on; null when
    the request was refused before its facts were derived: not immigration).

    An older entry did not record it: one refused before its facts were derived (`BEFORE_FACTS`) is
    not immigration, as its decision would record; otherwise the predicate is applied to what the
    entry holds, the declared category and every agency judged. It holds no words (free text is never
    copied) and does not say whether a document was verified, so no screened purpose and no criminal
    warrant count: a request by ERO or a 287(g) agency is counted unless it declared a criminal purpose
    (as the gate counted a declared category when those entries were written)."""
    if ENTRY_KEY in entry:
        return bool(entry[ENTRY_KEY])
    if entry.get("failure") in BEFORE_FACTS:
        return False
    named = entry.get("judged_as") or [entry.get("requester"), *(entry.get("on_behalf_of") or [])]
    acting = [reading for agency in _known(registry, named) for reading in registry.readings(agency.id)]
    return immigration_purpose(declared=entry.get("purpose_category"), screened=None, acting=acting, stated_crime=True).immigration


def _known(registry: Registry, ids: Iterable[str | None]) -> list[Agency]:
    """The agencies of `ids` the registry holds (an id it no longer holds names no agency)."""
    found = []
    for agency_id in ids:
        if agency_id:
            try:
                found.append(registry.get(agency_id))
            except KeyError:
                continue
    return found
