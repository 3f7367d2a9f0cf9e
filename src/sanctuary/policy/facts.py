"""The facts of a request that the rules read: derived once, from the request, the registry, the
purpose screen and the document classification.

These definitions come from the profiles' shared vocabulary (issue #2, docs/profiles.md):
"immigration purpose" is a declared civil_immigration category, a purpose text that screens as
immigration enforcement or names an immigration agency, or a request on behalf of one; and a
request by (or for) a unit whose work is civil immigration enforcement (ERO) that shows no criminal
purpose — neither a declared criminal category nor a judicial criminal warrant. A judicial
criminal warrant opens what the rules say it opens; an administrative form never does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from sanctuary.agencies import Agency
from sanctuary.models import Request, Subject
from sanctuary.policy.courts import article_iii_order, state_court_orders
from sanctuary.screening import DocumentClass, PurposeScreen

CUSTODY_TOPICS = ("custody_status", "release_date", "contact_information")
CARVEOUTS = ("outstanding_criminal_warrant", "felony_conviction", "pending_felony_charge", "gang_member")


@dataclass(frozen=True)
class Facts:
    """Everything a Cedar rule may read besides the principal: hashable, so decisions cache on it."""

    immigration_purpose: bool = False
    topics: frozenset[str] = frozenset()
    judicial_warrant: bool = False
    judicial_criminal_warrant: bool = False
    federal_criminal_warrant: bool = False
    administrative_document: bool = False
    detainer: bool = False
    carveout: bool = False
    operation_type: str = "none"
    civil_immigration_operation: bool = False
    article_iii_order: bool = False
    state_court_orders: frozenset[str] = frozenset()
    felony_conviction: bool = False
    parameters: frozenset[str] = frozenset()  # the loaded profiles' parameters, "profile.name=value"

    @cached_property
    def cedar_context(self) -> dict:
        """The Cedar context record; computed once per Facts (cached_property bypasses frozen)."""
        return {
            "immigration_purpose": self.immigration_purpose,
            "topics": sorted(self.topics),
            "judicial_warrant": self.judicial_warrant,
            "judicial_criminal_warrant": self.judicial_criminal_warrant,
            "federal_criminal_warrant": self.federal_criminal_warrant,
            "administrative_document": self.administrative_document,
            "detainer": self.detainer,
            "carveout": self.carveout,
            "operation_type": self.operation_type,
            "civil_immigration_operation": self.civil_immigration_operation,
            "article_iii_order": self.article_iii_order,
            "state_court_orders": sorted(self.state_court_orders),
            "felony_conviction": self.felony_conviction,
            "parameters": sorted(self.parameters),
        }


def carveouts_met(subject: Subject) -> set[str]:
    """The 2-173-042(c) carve-outs (2012 law) the subject meets."""
    met = {
        "outstanding_criminal_warrant": subject.outstanding_criminal_warrant,
        "felony_conviction": subject.felony_conviction,
        "pending_felony_charge": subject.pending_felony_charge,
        "gang_member": subject.gang_database or subject.gang_admission,
    }
    return {name for name, hit in met.items() if hit}


def derive(
    request: Request,
    *,
    purpose: PurposeScreen,
    requester: Agency,
    proxies: Iterable[Agency],
    documents: Iterable[DocumentClass],
    dropped_carveouts: frozenset[str] = frozenset(),
    parameters: frozenset[str] = frozenset(),
) -> Facts:
    """The facts of one request. `proxies` are the agencies it is made for: declared or named."""
    docs = list(documents)
    proxies = list(proxies)
    judicial_criminal = [d for d in docs if d.judicial and d.criminal and d.type == "judicial_warrant"]
    criminal_shown = request.purpose.category == "criminal" or bool(judicial_criminal)
    immigration = (
        request.purpose.category == "civil_immigration"
        or purpose.category == "civil_immigration"
        or any(a.immigration_enforcement for a in proxies)
        or (any(a.civil_immigration_mission for a in (requester, *proxies)) and not criminal_shown)
    )
    topics = frozenset(request.resource.fields) if request.kind.value == "custody_inquiry" else frozenset()
    if request.kind.value == "custody_inquiry" and not topics:
        topics = frozenset(CUSTODY_TOPICS)
    op = request.operation
    return Facts(
        immigration_purpose=immigration,
        topics=topics,
        judicial_warrant=any(d.judicial for d in docs),
        judicial_criminal_warrant=bool(judicial_criminal),
        federal_criminal_warrant=any(d.federal for d in judicial_criminal),
        administrative_document=any(d.administrative for d in docs),
        detainer=any(d.detainer for d in docs),
        carveout=bool(carveouts_met(request.subject) - dropped_carveouts),
        operation_type=op.type if op else "none",
        civil_immigration_operation=bool(op and op.civil_immigration),
        article_iii_order=article_iii_order(request.documents, docs),
        state_court_orders=state_court_orders(request.documents, docs),
        felony_conviction=request.subject.felony_conviction,
        parameters=parameters,
    )
