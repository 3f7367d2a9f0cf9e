"""The curated lexicon: what states an immigration purpose, what names an agency, what is merely
immigration-adjacent, what names a crime, and what says nothing at all.

Every pattern runs on the canonical words of `normalize.py` (lower case, one space between words,
spelled-out letters joined, swaps undone), so ``\bice\b`` also catches ``"I.C.E."`` and ``"1CE"``;
codes (forms, statutes, A-numbers, 287(g)) run on the `plain` words, where a digit stays a digit.
Sources: docs/evidence.md (reasons found in real audit logs, acronyms that slipped past block
lists), docs/law/federal-forms.md (DHS components, ICE forms), the INA and 8 U.S.C. sections that
govern removal, and ICE's published list of its detention facilities.

A term has a `kind`:

- `purpose`: explicit evidence of a civil-immigration purpose (an enforcement term, a unit whose
  work is removal, a form, a statute, a facility in an immigration context). One is enough for
  `civil_immigration`.
- `agency`: an agency named. For an immigration agency this is evidence of *who* the request
  serves, not of its purpose: it fills `PurposeScreen.agencies`, and alone (no purpose, no offence)
  it makes the reason `needs_review`. Other agencies (FBI, DEA, ...) are evidence only.
- `adjacent`: immigration-adjacent and ambiguous ("foreign national", "I-94 check"): `needs_review`.

Look-alikes that must not fire ("ice cream", "black ice", "ICAC", a vehicle "removal", an I-205 that
is a highway, the village of Broadview) are excluded in the pattern itself or by `unless`, a context
anywhere in the reason that cancels the term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

PURPOSE = "purpose"
AGENCY = "agency"
ADJACENT = "adjacent"


@dataclass(frozen=True)
class Term:
    """One term of the lexicon. Its expressions are compiled the first time a reason holds one of
    its trigger words: compiling all of them costs most of this module's import (about 25 ms), which
    every start of `sanctuary screen` paid for the two or three terms a reason wakes."""

    rule: str  # evidence rule name, e.g. "unit:ICE-ERO", "term:deport", "form"
    regex: str  # the expression that finds the term (`pattern`)
    kind: str  # PURPOSE, AGENCY or ADJACENT
    weight: float  # how strongly it alone signals immigration enforcement (the score)
    agency: str | None = None  # registry id the term names
    unless_regex: str | None = None  # a context anywhere in the reason that cancels the term (`unless`)
    plain: bool = False  # match on the plain words (codes), not the canonical ones
    # The words (and word beginnings) of which a match must contain one: a reason without any of
    # them skips the pattern. tests/test_screening_purpose.py checks this never changes a result.
    triggers: frozenset[str] = frozenset()
    stems: tuple[str, ...] = ()

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.regex)

    @cached_property
    def unless(self) -> re.Pattern[str] | None:
        return re.compile(self.unless_regex) if self.unless_regex else None


def _term(
    rule: str,
    triggers: str,
    regex: str,
    kind: str,
    weight: float,
    agency: str | None = None,
    unless: str | None = None,
    plain: bool = False,
) -> Term:
    words = triggers.split()
    return Term(
        rule,
        regex,
        kind,
        weight,
        agency,
        unless,
        plain,
        frozenset(w for w in words if not w.endswith("*")),
        tuple(w[:-1] for w in words if w.endswith("*")),
    )


# "ice" the drug, the weather, the food, the weapon, the rink; the agency otherwise.
_ICE_NOT_AFTER = "".join(
    f"(?<!\\b{word} )"
    for word in (
        "black",
        "dry",
        "shaved",
        "thin",
        "crystal",
        "road",
        "sea",
        "lake",
        "pond",
        "snow",
        "hail",
        "glacier",
        "slid on",
        "slipped on",
        "skid on",
        "skidded on",
        "fell on",
        "on",
    )
)
_ICE_NOT_BEFORE = (
    r"(?! (?:cream|creams|storm|storms|rink|rinks|arena|machine|machines|maker|chest|chests|pack|packs|cube|cubes"
    r"|skate|skates|skating|hockey|fishing|shaving|shavings|cold|bucket|truck|age|breaker|scraper|cooler|box"
    r"|plant|house|dam|jam|road|roadway|sheet|cap|bag|bags|pick(?! up)|axe|melt|patch|dispenser|vending|on)\b)"
)
# Drug words: next to them a lower-case "ice" is the drug (purpose.py keeps "ICE" typed in capitals
# in a reason that has lower case as the agency: "assist ICE narcotics").
DRUG_CONTEXT = re.compile(
    r"\b(?:meth|methamphetamine|narcotics?|drugs?|grams?|gr|oz|ounces?|possession|poss|crystal|dealer|dealing"
    r"|sale|sales|selling|pcs|cds|baggie|baggies|dope|controlled substance|smoking|pipe)\b"
)
_HUMAN_SERVICES = (
    r"\b(?:idhs|human services|il dhs|illinois dhs|state dhs|county dhs|child|children|welfare|snap|medicaid|caseworker|case worker|dcfs)\b"
)
_VEHICLE_REMOVAL = (
    r"(?<!\bvehicle )(?<!\bveh )(?<!\btow )(?<!\bcar )(?<!\bauto )(?<!\bsnow )(?<!\btree )(?<!\btrash )(?<!\bjunk )"
    r"(?<!\bdebris )(?<!\bgraffiti )(?<!\babandoned )(?<!\bparking )(?<!\bhair )(?<!\bstump )"
)
# Things, not people, that a reason says are removed or have (no) papers: "order of removal of vehicle",
# "vehicle previously removed", "dog has no papers". Beside one of these the word is about the thing.
_THING = (
    r"(?:vehicles?|veh|cars?|autos?|trucks?|vans?|suvs?|motorcycles?|bikes?|bicycles?|scooters?|mopeds?|atvs?|trailers?"
    r"|boats?|plates?|tags?|title|titles|registration|reg|property|debris|items?|belongings|equipment|tools|jewelry"
    r"|dogs?|puppy|puppies|cats?|kittens?|horses?|animals?|pets?|guns?|firearms?|weapons?|signs?|trees?|snow|trash|junk)"
)
# Not said of a thing: before ("vehicle previously removed") and after ("... removed from the scene",
# "prior removal of debris"); removed from the country is removal.
_THING_BEFORE = "".join(
    f"(?<!\\b{word} )" for word in "vehicle veh car auto truck van plate plates tag tags property items debris it sign tree".split()
)
_NOT_OF_A_THING = (
    r"(?! (?:of|from|off|out of)\b(?! (?:the )?(?:us|u s|usa|united states|country)\b))(?! (?:at|in|on|by|to|with) (?:the|a|an)\b)"
    r"(?! (?:the |a |an |his |her |their )?" + _THING + r"\b)"
)
_OF_A_THING = r"(?! (?:of|from) (?:the |a |an |his |her |their |this |that )?" + _THING + r"\b)"
_HIGHWAY = r"\b(?:nb|sb|eb|wb|northbound|southbound|eastbound|westbound|exit|mile|mm|mp|freeway|fwy|hwy|highway|interstate|ramp|lanes?|crash|accident)\b"
# ("ins", the legacy INS, is left out: "ins status" and "ins hold" are insurance at a traffic stop or a tow lot.)
_IMM_AGENCY = rf"(?:{_ICE_NOT_AFTER}ice|dhs|cbp|uscis|usbp|hsi|imm|immig|immigration|inmigracion)"
# Whose "interest" in a person is immigration's (HSI's is a criminal case's).
_ICE_INTEREST = rf"(?:{_ICE_NOT_AFTER}ice|immigration|immig|imm)"
# What an immigration agency does to a person that is removal work, not a criminal case.
_ENFORCEMENT_ACTION = (
    r"(?:detainers?|holds?|removals?|deport\w*|detention|detained|detainees?|raids?|sweeps?|round ?ups?|custody|processing"
    r"|admin(?:istrative)? warrants?|admin|administrative|removal flights?|check ?ins?|status|pick ?ups?|transfers?|absconders?"
    r"|atd|ankle (?:monitors?|bracelets?))"
)
# Whom a legality check is about, and what it asks ("check if she is legal", "is he illegal"); what a
# reason says of the person ("subject may be removable", term:removal).
_PERSON = (
    r"(?:he|she|they|him|her|them|subject|subj|person|driver|male|female|occupant|occupants|individual|suspect|passenger"
    r"|passengers|worker|workers|tenant|tenants|employee|employees|subjects|persons|individuals|suspects|drivers|who|target"
    r"|targets|owner|owners|applicant|applicants|holder|resident|residents|defendant|defendants|offender|arrestee|detainee"
    r"|juvenile|(?:the|this|that) (?:subject|person|driver|male|female|occupant"
    r"|individual|suspect|passenger|worker|guy|man|woman|family|kid|lady))"
)
_LEGALITY = r"(?:legal|illegal|legally here|here legally|here illegally|illegally here|documented|undocumented|in the country legally)"
# Beside these a notice to appear is a police citation; beside these an absconder fled supervision.
_CITATION = (
    r"\b(?:cite|cited|citation|citations|issued|issue|ticket|tickets|traffic|speeding|infraction|infractions|misdemeanor"
    r"|misd|vc|cvc|hs|pc|violation|violations|court date|arraignment|dui|dwi|suspended|license|unlicensed)\b|\b\d{3,5}\b"
)
_SUPERVISION = (
    r"\b(?:parole|parolee|parolees|probation|probationer|probationers|pretrial|supervision|supervised|doc|idoc|corrections"
    r"|correctional|bond|bail|halfway|work release|electronic monitoring|sex offender|registrant|juvenile)\b"
)
_WEATHER = r"\b(?:snow|salt|sleet|frost|icy|weather|roadway|road|cream|rink|skating|hockey)\b"
# ICE detention and processing facilities by a name that is not also a county jail's or a town's
# everyday use; each counts only next to a facility word ("Broadview processing center", not the
# village of Broadview or its police).
_FACILITY = (
    r"(?:broadview|krome|adelanto|delaney hall|dilley|karnes|otay mesa|port isabel|moshannon|alligator alcatraz"
    r"|camp east montana|mesa verde|pine prairie|bluebonnet|joe corley|south texas)"
)
_FACILITY_WORD = r"(?:processing|detention|detainees?|detained|ice|immigration|spc|ipc|cdf|service processing|family residential)"

# "A-number" and "A-file" typed as one word or with a mark between, not "a number" or "a file" (purpose.py
# reads how it was typed); "A#" with no digits, whose mark normalising drops (purpose.py reads the "#").
A_NUMBER_WORD = _term("a_number", "a anumber afile", r"\ba ?(?:number|num|nbr|file)s?\b", PURPOSE, 0.9)
A_NUMBER_MARK = _term("a_number", "a", r"\ba\b", PURPOSE, 0.9)

TERMS: tuple[Term, ...] = (
    # --- units whose work is civil immigration enforcement: purpose ---
    # ("Fugitive Operations" is the name of ERO's National Fugitive Operations Program and its teams;
    # the Marshals' units are "fugitive task force" and "fugitive investigations", which stay plain.)
    _term(
        "unit:ICE-ERO",
        "ero enforcement fug fugops fugitive criminal cap",
        r"\bero\b|\benforcement (?:and |n )?removal(?: operations?| ops?)?\b|\bfug ?ops\b|\bfugitive operations?\b"
        r"|\bcriminal alien program\b|\bcap (?:referral|program|officer|detainer|team|unit)\b",
        PURPOSE,
        0.95,
        "ICE-ERO",
    ),
    _term(
        "unit:CBP-USBP",
        "usbp border boarder borderpatrol boarderpatrol patrulla bortac borstar",
        r"\busbp\b|\b(?:border|boarder) ?patrol\b|\bpatrulla fronteriza\b|\bbortac\b|\bborstar\b",
        PURPOSE,
        0.95,
        "CBP-USBP",
    ),
    _term("unit:ICE-OPLA", "opla principal", r"\bopla\b|\bprincipal legal advis[eo]r\b", PURPOSE, 0.9, "ICE-OPLA"),
    _term("unit:EOIR", "eoir executive", r"\beoir\b|\bexecutive office for immigration review\b", PURPOSE, 0.95),
    _term("program:287(g)", "287 287g", r"\b287 ?g\b", PURPOSE, 0.97, plain=True),
    _term(
        "operation:named",
        "midway catahoula metro operation op",
        r"\bmidway blitz\b|\bcatahoula crunch\b|\bmetro surge\b|\b(?:operation|op) charlotte s web\b",
        PURPOSE,
        0.95,
    ),
    # --- immigration agencies: who the request serves ---
    _term(
        "agency:ICE-HSI", "hsi homeland homland home hom", r"\bhsi\b|\bhome? ?land sec(?:urity)? investigations?\b", AGENCY, 0.6, "ICE-HSI"
    ),
    _term(  # the name, whole or cut short ("Imm. & Customs Enf.": the "&" is dropped by normalising)
        "agency:ICE",
        "immigration immig imm",
        r"\b(?:immigration|immig|imm) (?:and )?customs (?:and )?(?:enforcement|enf)\b",
        AGENCY,
        0.7,
        "ICE",
    ),
    _term("agency:ICE", "ice", _ICE_NOT_AFTER + r"\bice\b" + _ICE_NOT_BEFORE, AGENCY, 0.7, "ICE"),
    _term("agency:CBP-OFO", "cbp office", r"\bcbp ofo\b|\boffice of field operations\b", AGENCY, 0.6, "CBP-OFO"),
    _term("agency:CBP-AMO", "cbp air", r"\bcbp amo\b|\bair (?:and )?marine operations\b", AGENCY, 0.6, "CBP-AMO"),
    _term(
        "agency:CBP",
        "cbp customs aduanas",
        r"\bcbp\b|\bcustoms (?:and |& )?border(?: protection)?\b|\baduanas y proteccion fronteriza\b",
        AGENCY,
        0.7,
        "CBP",
    ),
    _term("agency:USCIS", "uscis citizenship", r"\buscis\b|\bcitizenship (?:and )?immigration services?\b", AGENCY, 0.7, "USCIS"),
    _term("agency:DHS", "dhs", r"\bdhs\b", AGENCY, 0.6, "DHS", unless=_HUMAN_SERVICES),
    _term(
        "agency:DHS",
        "homeland homland home hom departamento department",
        r"\b(?:department of )?home? ?land sec(?:urity)?\b(?! investigations?\b)|\bdepartamento de seguridad nacional\b",
        AGENCY,
        0.6,
        "DHS",
    ),
    # --- other agencies: evidence of who is involved, neither immigration nor an `agencies` entry ---
    _term("agency:FBI", "fbi federal", r"\bfbi\b|\bfederal bureau of investigation\b", AGENCY, 0.0, "FBI"),
    _term("agency:DEA", "dea drug", r"\bdea\b|\bdrug enforcement administration\b", AGENCY, 0.0, "DEA"),
    _term("agency:ATF", "atf alcohol", r"\batf\b|\balcohol tobacco firearms\b", AGENCY, 0.0, "ATF"),
    _term("agency:USMS", "usms us united", r"\busms\b|\b(?:us|united states) marshals?(?: service)?\b", AGENCY, 0.0, "USMS"),
    _term("agency:USPIS", "uspis postal", r"\buspis\b|\bpostal inspect(?:or|ors|ion service)\b", AGENCY, 0.0, "USPIS"),
    _term("agency:USSS", "usss secret", r"\busss\b|\bsecret service\b", AGENCY, 0.0, "USSS"),
    _term("agency:TSA", "tsa", r"\btsa\b", AGENCY, 0.0, "TSA"),
    _term("agency:USCG", "uscg coast", r"\buscg\b|\bcoast guard\b", AGENCY, 0.0, "USCG"),
    _term("agency:FEMA", "fema", r"\bfema\b", AGENCY, 0.0, "FEMA"),
    _term("agency:ISP", "illinois", r"\billinois state police\b", AGENCY, 0.0, "ISP"),
    # --- an immigration agency with removal work: purpose ---
    _term(
        "term:agency_enforcement",
        "ice dhs cbp uscis ins usbp hsi imm immig immigration inmigracion",
        rf"\b{_IMM_AGENCY}(?: \w+)?(?: \w+)? {_ENFORCEMENT_ACTION}\b|\b{_ENFORCEMENT_ACTION} (?:for|by|to|from|with|of) {_IMM_AGENCY}\b"
        # ICE's interest in a person, not HSI's in a criminal case, nor an ICE "person of interest" nor an interest rate
        rf"|\b{_ICE_INTEREST} (?:has |have |had )?(?:an )?(?:interest|intrest)\b(?! rates?\b)"
        rf"|(?<!\bperson of )(?<!\bpersons of )\b(?:interest|intrest) (?:by|from|of|to|for) {_ICE_INTEREST}\b"
        # an ankle monitor named before the agency, no word between ("ankle monitor ICE")
        rf"|\bankle (?:monitors?|bracelets?) {_IMM_AGENCY}\b",
        PURPOSE,
        0.93,
        unless=_WEATHER,
    ),
    # --- immigration terms and their stems, English and Spanish: purpose ---
    _term("term:immigration_dropdown", "immigration", r"\bimmigration civil administrative\b", PURPOSE, 0.99),
    _term("term:immigra", "immigr* imigr* inmigra* emigra*", r"\bimm?igr\w*|\binmigra\w*|\bemigra\w*", PURPOSE, 0.95),
    _term(
        "term:imm",
        "imm immi immig immg inm",
        r"\b(?:imm|immi|immig|immg|inm)\b(?= (?:enforcement|enf|status|hold|detainer|det|case|violation|violator|warrant|check|inv"
        r"|arrest|sweep|raid|op|ops|operation|fugitive|officer|agent|court|judge|proceedings|detention|custody|removal|viol|violation|violations)\b)",
        PURPOSE,
        0.9,
    ),
    _term(
        "term:deport",
        "deport* self",
        # "deported vehicle" is said of a thing (a typo for "reported"); a "deported vehicle owner" is a person
        r"\b(?!deported " + _THING + r"\b(?! (?:owner|owners|driver|drivers|occupant|occupants|ro|registered owner)\b))deport\w*"
        r"|\bself deport\w*",
        PURPOSE,
        0.97,
        unless=r"\bdeportes\b|\bdeportment\b",
    ),
    _term(
        "term:alien",
        "alien aliens noncitizen noncitizens non extranjero extranjeros wetback wetbacks",
        r"\b(?:illegal|criminal|removable|deportable|inadmissible|excludable|undocumented|unlawful|ilegal|ilegales)"
        r" (?:alien|aliens|non ?citizens?|extranjeros?)\b|\balien (?:registration|reg|number|file|no)\b|\bextranjeros? ilegal(?:es)?\b|\bwetbacks?\b",
        PURPOSE,
        0.95,
    ),
    _term(
        "term:illegal",
        "illegal illegals",
        r"\billegals\b|\billegal (?:immigrants?|entry|reentry|re entry|presence|status)\b|\bsweep for illegals\b",
        PURPOSE,
        0.93,
    ),
    _term(
        "term:undocumented",
        "undocumented undoc undocs indocumentado indocumentada indocumentados indocumentadas sin",
        r"\bundocumented\b|\bundocs?\b|\bindocumentad[oa]s?\b|\bsin (?:papeles|documentos)\b",
        PURPOSE,
        0.92,
    ),
    # "no papers" said of a person ("sin papeles" in English), not of a thing ("vehicle no papers", "dog
    # has no papers", "no papers for the trailer"); "papers" alone says nothing
    _term(
        "term:no_papers",
        "no without lacks lacking lacked",
        r"\b(?:no|without|lacks?|lacking|lacked) (?:legal |valid |immigration |proper )?papers\b",
        PURPOSE,
        0.85,
        unless=r"\b" + _THING + r"(?: (?:has|had|have|with|w|came with|sold with|but))? (?:no|without|lacks?|lacking|lacked)"
        r" (?:legal |valid |proper )?papers\b|\bpapers (?:for|on|of|to|with) (?:the |a |an |his |her |their |this |that )?" + _THING + r"\b"
        # the papers of a traffic stop (licence, insurance) or of a process server
        r"|\b(?:license|licence|dl|insurance|serve|served|serving|summons|subpoena)\b",
    ),
    _term("term:migra", "migra*", r"\bmigra\b|\bmigra(?:cion|ciones|torio|toria|torios|torias)\b", PURPOSE, 0.9),
    _term(
        "term:removal",
        "removal removable removed inadmissible rem final reinstat* deport*",
        _VEHICLE_REMOVAL + r"\bremoval (?:order|orders|ord|proceeding|proceedings|hearing|warrant|case|flight|flights|officer|period)\b"
        r"|\b(?:order|ord|ordr|warrant|orden) of removal\b"
        + _OF_A_THING
        + r"|\bexpedited removal\b|\breinstat\w* (?:of )?(?:the )?removal\b"
        r"|\bremovable (?:alien|aliens|subject|subjects|person|persons|individual|individuals|noncitizen|noncitizens|under|pursuant)\b|\bremovability\b"
        # what is said of the person ("subject may be removable"); a drive or media "is removable" is not
        r"|\b" + _PERSON + r"(?: (?:is|are|was|were|be|been|being|deemed|found|likely|may|might|could|would|possibly|potentially"
        r"|probably|also|now|not)){1,3} (?:removable|inadmissible)\b|\bamenable to removal\b"
        r"|" + _VEHICLE_REMOVAL + r"\b(?:removal|deportation) order\b|\bfinal order of (?:removal|deportation)\b|\brem order\b"
        r"|\b(?:locate|locating|arrest|detain|apprehend|pick ?up|hold|custody|subject|person|individual|him|her|them)"
        r" (?:for|pending|awaiting) removal\b|" + _VEHICLE_REMOVAL + r"\b(?:pending|awaiting) removal\b"
        # entering again after a removal (8 U.S.C. 1326); a removed alien
        r"|\bre ?ent(?:ry|ries|ered|ering) (?:\w+ )?(?:after|following|post|since|subsequent to) (?:a |his |her |their |prior )?removal\b"
        + _OF_A_THING
        + r"|\bremoved (?:alien|aliens|noncitizen|noncitizens)\b",
        PURPOSE,
        0.93,
    ),
    # a person removed before ("previously removed", "prior removal"), not a thing ("vehicle previously
    # removed", "prior removal of debris") nor a person put out of a place ("previously removed from the
    # bar", "trespasser previously removed by security")
    _term(
        "term:removal",
        "previously prior formerly previous",
        _THING_BEFORE
        + r"\b(?:previously|prior|formerly) removed\b"
        + _NOT_OF_A_THING
        + r"|\b(?:prior|previous) removals?\b"
        + _NOT_OF_A_THING,
        PURPOSE,
        0.9,
        unless=r"\b(?:trespass\w*|premises|banned|ban|barred|evicted|eviction|ejected|escorted|security|bouncer|kicked out"
        r"|store|bar|club|business|school|park|hospital|shelter|property|residence|apartment|house|home|event|game|flight|bus|train)\b",
    ),
    # "final order" (of removal), alone or said of a person; not a final order of anything else ("final
    # order of protection", "of custody") nor one beside a civil or family court matter
    _term(
        "term:final_order",
        "final fnl",
        r"\b(?:final|fnl) (?:order|ordr|ord)s?\b(?! (?:of|for|on|in|re|regarding|to) (?!(?:removal|deportation|exclusion)\b))",
        PURPOSE,
        0.9,
        unless=r"\b(?:protection|protective|op|eop|fop|oop|plenary|restraining|serve|served|serving|process|no contact|stalking|harassment|domestic|dv|custody|divorce"
        r"|dissolution|marriage|eviction|possession|foreclosure|support|visitation|parenting|guardianship|probate|adoption"
        r"|child|children|injunction|judgment|forfeiture|expungement|sealing|gvro|erpo|firearms restraining|abatement"
        r"|nuisance|demolition|condemnation|sale|purchase|delivery|shipment|restaurant|food|pizza|store|customer)\b",
    ),
    _term(
        "term:status",
        "visa overstay* out unlawful unlawfully illegally entered ewi voluntary immigration lawful legal illegally admitted",
        r"\bvisa overstay\w*|\boverstay\w* (?:(?:a|the|his|her|their) )?(?:visa|status|admission)\b|\bout of status\b|\bunlawful(?:ly)? (?:present|presence|status|entry)\b"
        r"|\billegally present\b|\bentered without inspection\b|\bewi\b|\bvoluntary departure\b|\bimmigration hold\b"
        r"|\b(?:lacks?|lacking|without|no) (?:lawful|legal) (?:immigration )?status\b|\bnot lawfully admitted\b"
        # where the person is and how she came ("is here illegally"; a car "parked here illegally" is not)
        r"|\b(?:is|are|was|been|being|living|residing|lives|resides|remains|remained|staying) (?:here|in (?:the|this) (?:country|united states|u s|us))"
        r" (?:illegally|unlawfully)\b|\bentered (?:the|this) (?:country|united states|u s|us) (?:illegally|unlawfully)\b"
        r"|\b(?:crossed|crossing) (?:the )?border (?:illegally|unlawfully)\b|\b(?:illegally|unlawfully) crossed (?:the )?border\b"
        r"|\b(?:expired|overstayed) visa\b(?! (?:card|cards|gift|debit|credit)\b)|\bvisa (?:has )?expired\b",
        PURPOSE,
        0.9,
    ),
    _term(
        "term:detainer",
        "detainer detainers hold holds",
        r"\b(?:immigration|ice|dhs|i ?247\w*) (?:detainer|hold)s?\b|\bins detainers?\b",
        PURPOSE,
        0.95,
    ),
    _term(
        "term:worksite",
        "worksite unauthorized",
        r"\bworksite (?:enforcement|raid|operation|op|audit|inspection)\b|\bunauthorized (?:alien|aliens|workers?|employment|employees?)\b",
        PURPOSE,
        0.9,
    ),
    _term(
        "facility",
        "broadview krome adelanto delaney dilley karnes otay port moshannon alligator camp mesa pine bluebonnet joe south immigration ice family",
        rf"\b{_FACILITY}(?: \w+){{0,2}} {_FACILITY_WORD}\b|\b{_FACILITY_WORD}(?: \w+){{0,2}} {_FACILITY}\b"
        r"|\b(?:immigration|ice) (?:processing|detention) (?:center|centre|facility)\b|\bfamily residential (?:center|centre)\b",
        PURPOSE,
        0.93,
    ),
    _term(
        "ncic:ivf",
        "ncic ivf violator violators",
        r"\bncic ivf\b|\bivf (?:hit|hits|hot\w*|\w*list|alert|entry|record)\b|\bviolators? file\b",
        PURPOSE,
        0.97,
    ),
    _term("term:immig", "immig", r"\bimmig\b", PURPOSE, 0.9),  # the truncation, alone ("immig", "Immig.")
    _term(
        "term:legal_status",
        "legal legally lawfully illegal documented undocumented",
        rf"\b(?:if|whether) {_PERSON} (?:is|are|was|were|s) {_LEGALITY}\b|\b(?:is|are) {_PERSON} {_LEGALITY}\b"
        r"|\b(?:legally|lawfully) (?:present|here|in the (?:us|u s|usa|country|united states))\b",
        PURPOSE,
        0.9,
    ),
    _term(
        "term:tps",
        "tps temporary",
        r"\btps (?:verification|verify|status|holder|holders|recipient|recipients|eligibility|check|registration)\b"
        r"|\btemporary protected status\b",
        PURPOSE,
        0.9,
    ),
    _term(  # ICE's Intensive Supervision Appearance Program (alternatives to detention)
        "program:ISAP",
        "isap intensive alternative alternatives bi",
        r"\bisap (?:check ?ins?|program|participants?|enrollees?|ankle|monitor\w*|gps|officer|case|appointment|reporting|visit)\b"
        r"|\bbi isap\b|\bintensive supervision appearance program\b|\balternatives? to detention\b",
        PURPOSE,
        0.93,
    ),
    _term("term:alien", "alien", r"\balien absconders?\b|\babsconders? alien\b", PURPOSE, 0.95),
    A_NUMBER_WORD,
    A_NUMBER_MARK,
    # --- codes, on the plain words: forms, statutes, A-numbers ---
    _term(
        "statute:8 usc",
        "8 ina",
        r"\b8 ?u ?[s5] ?c ?(?:s ?)?(?:1101|1182|1225|1226|1227|1228|1229|1229a|1231|1253|1324a|1357|1325|1326)\b"
        r"|\bina (?:sec |section |s )?(?:212|235|236|237|238|240|241|287)\b|\b8 ?c ?f ?r ?(?:s ?)?(?:235|236|237|238|239|241|287|1003|1240)\b",
        PURPOSE,
        0.93,
        plain=True,
    ),
    _term(
        "form",
        "i 1 form i2* i8*",
        r"(?<!\bnb )(?<!\bsb )(?<!\beb )(?<!\bwb )\b(?:form )?(?:i ?(?:247 ?[adnx4]?|200|203|205|213|286|862|217|220a|220b|296)"
        r"|1 (?:247 ?[adnx]?|203|286|862))\b",
        PURPOSE,
        0.95,
        unless=_HIGHWAY,
        plain=True,
    ),
    _term(
        "form:I-9",
        "i i9",
        r"\b(?:form )?i ?9 (?:audit|audits|inspection|inspections|compliance|raid|violations?|worksite)\b|\bi ?9\b(?= .*\bunauthorized\b)",
        PURPOSE,
        0.9,
        plain=True,
    ),
    _term(
        "a_number",
        "a anumber alien anum ano a0* a1* a2* a3* a4* a5* a6* a7* a8* a9*",
        r"\b(?:a ?number|a ?num|a ?no|anumber|alien (?:registration )?(?:number|no)|a) ?(?:\d{3} \d{3} \d{3}|\d{9})\b"
        r"|\ba ?\d{8}\b(?= .*\b(?:nta|removal|detainer|ice|ero|immigration)\b)",
        PURPOSE,
        0.9,
        plain=True,
    ),
    _term(
        "form:NTA",
        "nta notice",
        r"\bnta\b(?=.*\b(?:a ?number|a ?no|anumber|a \d{3}|alien|immigration|removal|eoir|dhs|ice|ero)\b)"
        r"|\bnotice to appear\b(?=.*\b(?:immigration|removal|eoir|dhs|alien)\b)",
        PURPOSE,
        0.9,
    ),
    # --- immigration-adjacent, ambiguous: needs review ---
    # A notice to appear starts removal proceedings (I-862), and is also a police citation (California,
    # Florida): alone it is held for review, beside a citation word it is the citation.
    _term("adjacent:nta", "nta notice", r"\bnta\b|\bnotice to appear\b", ADJACENT, 0.5, unless=_CITATION),
    # An absconder is also a parolee or probationer who fled supervision.
    _term("adjacent:absconder", "absconder absconders", r"\babsconders?\b", ADJACENT, 0.5, unless=_SUPERVISION),
    _term("adjacent:isap", "isap", r"\bisap\b", ADJACENT, 0.5),
    _term(
        "adjacent:overstay",
        "overstay*",
        r"\boverstay\w*",
        ADJACENT,
        0.5,
        unless=r"\b(?:park\w*|meter\w*|time limit|hours?|hrs?|minutes?|mins?|lot|garage|space|spaces|zone|permit|tow\w*|hotel|motel|rental)\b",
    ),
    _term(
        "adjacent:i94",
        "i i94",
        r"\b(?:form )?i ?94 (?:check|status|lookup|verification)\b",
        ADJACENT,
        0.5,
        unless=_HIGHWAY,
    ),
    _term(
        "adjacent:nationality",
        "national nationals citizen citizens noncitizen noncitizens foreign non",
        r"\bforeign (?:nationals?|citizens?|born)\b|\bnon ?citizens?\b|\b(?:mexican|guatemalan|honduran|salvadoran|venezuelan"
        r"|haitian|cuban|colombian|ecuadorian|nicaraguan|dominican|brazilian|peruvian|chinese|indian|filipino|vietnamese)"
        r" (?:nationals?|citizens?)\b",
        ADJACENT,
        0.5,
    ),
    _term(
        "adjacent:status",
        "citizenship citizen passport visa visas green asylum refugee status daca migrant migrants alien aliens border crossed form i i94",
        r"\bcitizenship\b|\bcitizen (?:check|status|verification)\b|\bpassport (?:status|check)\b|\bvisas?\b(?! (?:card|cards|gift|debit|credit|check card|logo))|\bgreen card\b"
        r"|\basylum\b|\brefugee status\b|\bno status\b|\bdaca\b|\bmigrants?\b|\baliens?\b|\bborder crossing\b|\bcrossed the border\b"
        r"|\bform i ?94\b|\bi ?94 (?:record|admission|number)\b",
        ADJACENT,
        0.5,
    ),
)

# Words of the immigration vocabulary: normalisation joins a cut word or undoes a swap only when the
# result is one of these (or starts with a stem), so it never invents a word out of a case number.
KEYWORDS: frozenset[str] = frozenset(
    {
        "ice",
        "ero",
        "hsi",
        "cbp",
        "dhs",
        "usbp",
        "uscis",
        "opla",
        "eoir",
        "fugops",
        "imm",
        "immig",
        "alien",
        "aliens",
        "illegal",
        "illegals",
        "removal",
        "removable",
        "detainer",
        "detainers",
        "border",
        "patrol",
        "boarder",
        "enforcement",
        "undocumented",
        "indocumentado",
        "indocumentados",
        "migra",
        "migrant",
        "migrants",
        "migratorio",
        "overstay",
        "asylum",
        "citizenship",
        "broadview",
        "detention",
        "homeland",
        "customs",
        "visa",
        "passport",
        "nationals",
        "processing",
        "center",
    }
)
_STEMS = ("immigr", "imigr", "inmigr", "emigr", "deport", "undocument", "indocument", "migraci", "migrato", "removal", "detain")
# Stems looked for inside a word run together with others ("civilimmigrationenforcement"), and the
# immigration words they begin (the longest is split off). Long and unambiguous only: never an acronym.
RUN_TOGETHER_STEMS: tuple[str, ...] = (
    "immigr",
    "imigr",
    "inmigr",
    "deport",
    "undocument",
    "indocument",
    "removal",
    "detainer",
    "alien",
    "overstay",
    "absconder",
)
RUN_TOGETHER_WORDS: frozenset[str] = frozenset(
    {"immigration", "immigrant", "immigrants", "immigrate", "imigration", "inmigracion", "inmigrante", "inmigrantes"}
    | {"deportation", "deportations", "deported", "deport", "deportee", "deportees", "deportable", "deportacion"}
    | {"undocumented", "indocumentado", "indocumentada", "indocumentados", "removal", "removals", "detainer", "detainers"}
    | {"alien", "aliens", "overstay", "overstays", "overstayed", "absconder", "absconders"}
)
# Agency acronyms that evaders run together with another word ("assistICE", "ICEERO"), and the words
# they are run together with; "notice", "police", "justice" are not split (their heads are not here).
CONCAT_ACRONYMS: tuple[str, ...] = ("ice", "ero", "hsi", "cbp", "dhs", "usbp")
CONCAT_PARTNERS: frozenset[str] = frozenset(
    set("assist locate for per req request with hold detainer warrant case team ops op pickup interest".split()) | set(CONCAT_ACRONYMS)
)


def is_keyword(word: str) -> bool:
    return word in KEYWORDS or word.startswith(_STEMS)


def known_word(word: str) -> bool:
    """A word the screen knows: an ordinary police or English word, an immigration word, or a word
    of one of the lexicon's expressions ("proceedings", "enforcement", "hold")."""
    return word in _KNOWN or is_keyword(word)


# Every beginning of a keyword or stem: a cut word is joined only if its first piece is one of these.
KEYWORD_PREFIXES: frozenset[str] = frozenset(word[:end] for word in KEYWORDS | set(_STEMS) for end in range(1, len(word) + 1))


# Named offences: a reason that names one is `criminal`, and an immigration agency named beside one
# is the beneficiary of a criminal case ("assist HSI fentanyl case"), not a request to review.
OFFENCES = re.compile(
    r"\b(?:stolen|theft|thefts|burg\w*|robb\w*|homicide|murder\w*|shoot\w*|shots|assault\w*|battery|carjack\w*"
    r"|kidnap\w*|abduct\w*|narcotics?|drugs?|dui|dwi|hit (?:and )?run|fraud\w*|forg(?:ed|ery)|arson|vandal\w*"
    r"|trespass\w*|weapons?|guns?|firearms?|evading|evade|fleeing|elud\w*"
    r"|pursuit|traffick\w*|smuggl\w*|rape|sexual|csam|icac|abuse|domestic|dv|threat\w*|stalk\w*|extort\w*"
    r"|shoplift\w*|larceny|catalytic|amber|stabbing|exploitation|laundering|counterfeit\w*|cargo|contraband"
    r"|fentanyl|meth|methamphetamine|cocaine|heroin|looting|reckless|dumping|gta"
    r"|embezzl\w*|possession|poss|swat|hostage|suicidal|overdose|\d{3,5} ?(?:pc|vc|hs)|10851|459|211|187|245)\b"
)
# Ordinary police service that states a purpose of its own: beside it an adjacent word ("migrant
# shelter welfare check") describes the person or place, not an immigration purpose.
SERVICE = re.compile(
    r"\b(?:welfare|wellness|missing|runaway|endangered|amber|silver alert|victim|victims|crash|accident|medical|overdose"
    r"|suicidal|mental health|lost child|found child|death investigation|fire|ems)\b"
)

# Words that say a matter is criminal without naming an offence ("felony warrant", "crime analysis").
CRIMINAL = re.compile(
    OFFENCES.pattern + r"|\b(?:felony|felon|misdemeanor|crime|crimes|criminal|offense|offender|warrant|warrants|victim)\b"
)

# Reasons that hide the purpose, scored by how little they say (audits rank on the score).
VAGUE_TERMS: dict[str, float] = {
    "inv": 0.95,
    "invest": 0.95,
    "investigation": 0.9,
    "investigations": 0.9,
    "criminal investigation": 0.8,
    "ongoing investigation": 0.85,
    "active investigation": 0.85,
    "follow up": 0.85,
    "followup": 0.85,
    "fu": 0.9,
    "locate": 0.85,
    "bol": 0.85,
    "bolo": 0.85,
    "be on the lookout": 0.8,
    "suspicious vehicle": 0.7,
    "suspicious veh": 0.7,
    "susp veh": 0.75,
    "info": 0.9,
    "information": 0.9,
    "intel": 0.9,
    "intelligence": 0.9,
    "assist": 0.9,
    "agency assist": 0.9,
    "assist other agency": 0.9,
    "outside agency assist": 0.9,
    "oaa": 0.9,
    "check": 0.9,
    "records check": 0.85,
    "vehicle check": 0.85,
    "veh check": 0.85,
    "area check": 0.85,
    "lead": 0.85,
    "leads": 0.85,
    "search": 0.95,
    "flock search": 0.95,
    "flock hit": 0.8,
    "hit": 0.9,
    "test": 0.7,
    "training": 0.6,
    "daytime search for best result": 0.95,
    "per request": 0.9,
    "request": 0.9,
    "requested": 0.9,
    "other": 0.95,
    "n a": 0.95,
    "na": 0.95,
    "none": 0.95,
    "unknown": 0.95,
    "unk": 0.95,
    "see case": 0.9,
    "see report": 0.9,
    "case": 0.95,
    "track vehicle": 0.75,
    "vehicle of interest": 0.75,
    "voi": 0.8,
    "poi": 0.8,
    "person of interest": 0.75,
    "suspect": 0.7,
    "misc": 0.95,
    "general": 0.95,
    "ongoing": 0.9,
    "tbd": 0.95,
    "xx": 0.95,
    "xxx": 0.95,
    "abc": 0.95,
    "asdf": 0.95,
}
VAGUE_CASE_NUMBER_SCORE = 0.95
_CODE = r"[a-z]{0,3}\d[a-z0-9]*"
CASE_NUMBER_ONLY = re.compile(
    r"(?:(?:case|cs|rd|report|rpt|inc|incident|cad|event|file|no|num|number|dr|cr|ref|pr) )*" + _CODE + rf"(?: {_CODE})*"
)
VAGUE_WITH_CASE_NUMBER = re.compile(r"(?P<term>[a-z ]+?)(?: " + _CODE + r")+")
# Fuzzy matching targets (misspellings of these words are immigration evidence) and the real words
# that sit close to them and must never be mistaken for them.
FUZZY_TARGETS: dict[str, str] = {
    "immigration": "ie",
    "immigrant": "ie",
    "immigrants": "ie",
    "deportation": "d",
    "deported": "d",
    "deportee": "d",
    "deportees": "d",
    "undocumented": "u",
    "inmigracion": "i",
    "deportacion": "d",
    "indocumentado": "i",
    "citizenship": "c",
    "migrant": "m",
    "migrants": "m",
}
# Two-word names and terms whose misspellings are purpose evidence ("Border Patril", "illeal entry"),
# and the registry id of the unit a phrase names.
FUZZY_PHRASES: dict[str, str | None] = {
    "border patrol": "CBP-USBP",
    "illegal entry": None,
    "illegal alien": None,
    "removal proceedings": None,
}
FUZZY_NEVER: frozenset[str] = frozenset(
    {
        "department",
        "departments",
        "departed",
        "departure",
        "departures",
        "depart",
        "deposited",
        "deposit",
        "deposits",
        "deposition",
        "deportment",
        "deputation",  # a deputation of officers (special deputation: Gov. Code §7284.6(a)(2))
        "irrigation",
        "imitation",
        "decoration",
        "decorations",
        "deformation",
        "deserted",
        "depicted",
        "deportes",
        "reported",
        "imported",
        "exported",
        "supported",
        "importer",
    }
)
# Misspellings of these targets are immigration-adjacent (needs review), not a purpose.
FUZZY_ADJACENT: frozenset[str] = frozenset({"citizenship", "migrant", "migrants"})

# Every term's triggers at once: a reason with none of them skips the lexicon.
TRIGGERS: frozenset[str] = frozenset().union(*(t.triggers for t in TERMS))
TRIGGER_STEMS: tuple[str, ...] = tuple(sorted({stem for t in TERMS for stem in t.stems}))
# Trigger word -> the positions in TERMS of the terms it may start, for one lookup per word.
TERMS_BY_TRIGGER: dict[str, frozenset[int]] = {word: frozenset(i for i, t in enumerate(TERMS) if word in t.triggers) for word in TRIGGERS}


def is_trigger(word: str) -> bool:
    """A word some term may start from (`Term.triggers`): the lexicon reads a reason that has one."""
    return word in TRIGGERS or word.startswith(TRIGGER_STEMS)


def candidate_terms(tokens: frozenset[str]) -> list[Term]:
    """The terms that may match a reason with these words, in TERMS order (see `Term.triggers`)."""
    found: set[int] = set()
    for token in tokens:
        hit = TERMS_BY_TRIGGER.get(token)
        if hit is not None:
            found.update(hit)
        if token.startswith(TRIGGER_STEMS):
            found.update(i for i, t in enumerate(TERMS) if t.stems and token.startswith(t.stems))
    return [TERMS[i] for i in sorted(found)]


# Words the model is never asked about: ordinary police and English words. The model looks only at
# the other words of a reason ("imgration", "deportaton"), so "patrol" cannot become immigration.
COMMON_WORDS: frozenset[str] = frozenset(word for phrase in VAGUE_TERMS for word in phrase.split()) | frozenset(
    """
    a about above after again against all also am an and any are area around as at away back be because been before being
    below between both but by can could did do does down during each few for from further had has have having he her here
    him his how i if in into is it its just me more most my no nor not now of off on once only or other our out over own
    per re same she should so some such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your
    patrol patrols patrolling traffic stop stops crash crashes accident collision parking park parked tow towed towing
    vehicle vehicles veh car cars truck trucks van suv motorcycle plate plates tag tags lpr alpr flock camera cameras
    hit hits hotlist alert alerts missing person persons people juvenile juveniles runaway endangered welfare wellness
    check checks suspicious susp subject subjects suspect suspects victim victims witness witnesses wanted warrant
    warrants arrest arrested detective detectives officer officers deputy deputies sergeant unit units team task force
    case cases report reports reported incident incidents call calls service event events complaint complaints
    follow followup investigation investigations investigate investigative inv invest crime crimes criminal property
    violent felony misdemeanor theft stolen burglary robbery assault battery homicide shooting shots fired narcotics
    drugs drug dui fraud identity retail mail catalytic converter vandalism damage trespass arson gang gangs weapon
    weapons gun guns firearm firearms sex offender offenders registration registered probation parole violator
    violation violations court order orders protective protection jail inmate inmates transport transfer custody
    mutual aid agency agencies department dept pd police sheriff so state county city village town local federal
    assist assisting assistance request requested per info information intel lead leads tip tips bolo bol lookout
    locate located locating search searched searching training test testing analysis trend trends prevention community
    noise abandoned repo repossession school zone special detail event events protest protests crowd control
    amber silver alert school business residence residential commercial home house apartment street avenue road
    north south east west northbound southbound eastbound westbound highway interstate exit mile
    male female adult child children man woman boy girl white black hispanic asian red blue green gray grey silver gold
    toyota honda ford chevy chevrolet nissan dodge jeep kia hyundai bmw tesla sedan pickup
    possible poss attempted attempt recovered recovery unknown other misc general daytime best result results
    driver drivers owner registered owner rental plate stolen vehicle pursuit fleeing eluding evading reckless
    hold holds release released booking booked jail court date hearing summons citation cited ticket
    fugitive fugitives operation operations op ops surveillance undercover narcotic seizure seized evidence found lost
    expired suspended license licence revoked insurance ins injury fatal death body deceased elderly dementia autistic
    mental health crisis harassment disturbance fight fights fireworks alarm burglar prowler solicitor loitering curfew
    truancy graffiti tagging littering animal dog bite party narcan hospital ems fire medical motorist disabled impound
    impounded attempt bond subpoena interview canvass video footage reader ncic nibrs cad jewelry package porch pirate
    bike bicycle scooter trailer boat atv tools construction equipment copper wire gas station store walmart target
    depot lowes costco bank atm card credit debit plaza mall market restaurant bar club hotel motel church park lot
    garage ave st rd blvd dr ln ct hwy rt route block unit apt suite
    """.split()
)
# A word in a lexicon expression, and a "?" that makes its last letter optional ("nationals?").
_WORD_IN = re.compile(r"([a-z]{3,})(\?)?")
# Every word the screen knows (`known_word`): a run-together word is split after an immigration word
# only where what follows is one of these.
_KNOWN: frozenset[str] = (
    COMMON_WORDS
    | KEYWORDS
    | RUN_TOGETHER_WORDS
    | frozenset(
        form
        for t in TERMS
        for word, optional in _WORD_IN.findall(re.sub(r"\\[a-z]", " ", t.regex))
        for form in (word, word[:-1] if optional else word)
    )
)
