"""The curated lexicon: what names an immigration purpose, an agency, a crime or nothing at all.

Every pattern runs on the canonical word string of `normalize.py` (lower case, words separated by
one space, spelled-out letters joined, digit swaps undone), so ``\\bice\\b`` also catches
``"I.C.E."`` and ``"1CE"``. Sources for the terms: research/incidents.md §1.4-1.5 (reasons found in
real audit logs and the acronyms that slipped past block lists) and legal.md §4.1-4.2 (DHS
components, ICE forms).

A term's `weight` is how strongly it alone signals immigration enforcement (0 for agencies and
crimes that are evidence but not immigration). Look-alikes that must not fire ("ice cream",
"black ice", "ICAC", a vehicle "removal", an I-205 that is a highway) are excluded in the pattern
itself or by `unless`, a context anywhere in the reason that cancels the term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    rule: str  # evidence rule name, e.g. "agency:ICE-ERO", "term:deport", "form"
    pattern: re.Pattern[str]
    weight: float  # immigration likelihood when this term alone fires
    agency: str | None = None  # registry id the term names
    unless: re.Pattern[str] | None = None  # a context anywhere in the reason that cancels the term


def _term(rule: str, regex: str, weight: float, agency: str | None = None, unless: str | None = None) -> Term:
    return Term(rule, re.compile(regex), weight, agency, re.compile(unless) if unless else None)


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
    )
)
_ICE_NOT_BEFORE = (
    r"(?! (?:cream|creams|storm|storms|rink|rinks|arena|machine|machines|maker|chest|chests|pack|packs|cube|cubes"
    r"|skate|skates|skating|hockey|fishing|shaving|shavings|cold|bucket|truck|age|breaker|scraper|cooler|box"
    r"|plant|house|dam|jam|road|sheet|cap|bag|bags|pick(?! up)|axe|melt|patch|dispenser|vending)\b)"
)
_DRUG_CONTEXT = (
    r"\b(?:meth|methamphetamine|narcotics?|drugs?|grams?|gr|oz|ounces?|possession|poss|crystal|dealer|dealing"
    r"|sale|sales|selling|pcs|cds|baggie|baggies|dope|controlled substance)\b"
)
_HUMAN_SERVICES = (
    r"\b(?:idhs|human services|il dhs|illinois dhs|state dhs|county dhs|child|children|welfare|snap|medicaid|caseworker|case worker|dcfs)\b"
)
_VEHICLE_REMOVAL = r"(?<!\bvehicle )(?<!\bveh )(?<!\btow )(?<!\bcar )(?<!\bauto )(?<!\bsnow )(?<!\btree )(?<!\btrash )(?<!\bjunk )(?<!\bdebris )(?<!\bgraffiti )(?<!\babandoned )(?<!\bparking )"
_HIGHWAY = r"\b(?:nb|sb|eb|wb|northbound|southbound|eastbound|westbound|exit|mile|mm|mp|freeway|fwy|hwy|highway|interstate|ramp|lanes?|crash|accident)\b"

TERMS: tuple[Term, ...] = (
    # --- immigration agencies, most specific first (full names and acronyms) ---
    _term("agency:ICE-ERO", r"\bice ero\b|\bero\b|\benforcement (?:and )?removal operations?\b|\bfug ?ops\b", 0.95, "ICE-ERO"),
    _term("agency:ICE-HSI", r"\bhsi\b|\bhome? ?land security investigations?\b", 0.9, "ICE-HSI"),
    _term("agency:ICE-OPLA", r"\bopla\b|\bprincipal legal advis[eo]r\b", 0.9, "ICE-OPLA"),
    _term("agency:ICE", r"\bimmigration (?:and )?customs (?:and )?enforcement\b", 0.99, "ICE"),
    _term("agency:ICE", _ICE_NOT_AFTER + r"\bice\b" + _ICE_NOT_BEFORE, 0.95, "ICE", unless=_DRUG_CONTEXT),
    _term("agency:CBP-USBP", r"\busbp\b|\b(?:border|boarder) ?patrol\b|\bpatrulla fronteriza\b", 0.95, "CBP-USBP"),
    _term("agency:CBP-OFO", r"\bcbp ofo\b|\boffice of field operations\b", 0.9, "CBP-OFO"),
    _term("agency:CBP-AMO", r"\bcbp amo\b|\bair (?:and )?marine operations\b", 0.9, "CBP-AMO"),
    _term("agency:CBP", r"\bcbp\b|\bcustoms (?:and )?border protection\b|\baduanas y proteccion fronteriza\b", 0.95, "CBP"),
    _term("agency:USCIS", r"\buscis\b|\bcitizenship (?:and )?immigration services?\b", 0.9, "USCIS"),
    _term("agency:DHS", r"\bdhs\b", 0.85, "DHS", unless=_HUMAN_SERVICES),
    _term(
        "agency:DHS",
        r"\b(?:department of )?home? ?land security\b(?! investigations?\b)|\bdepartamento de seguridad nacional\b",
        0.9,
        "DHS",
    ),
    # --- other agencies: evidence of who is involved, but neither immigration nor an `agencies` entry ---
    _term("agency:FBI", r"\bfbi\b|\bfederal bureau of investigation\b", 0.0, "FBI"),
    _term("agency:DEA", r"\bdea\b|\bdrug enforcement administration\b", 0.0, "DEA"),
    _term("agency:ATF", r"\batf\b|\balcohol tobacco firearms\b", 0.0, "ATF"),
    _term("agency:USMS", r"\busms\b|\b(?:us|united states) marshals?(?: service)?\b", 0.0, "USMS"),
    _term("agency:USPIS", r"\buspis\b|\bpostal inspect(?:or|ors|ion service)\b", 0.0, "USPIS"),
    _term("agency:USSS", r"\busss\b|\bsecret service\b", 0.0, "USSS"),
    _term("agency:TSA", r"\btsa\b", 0.0, "TSA"),
    _term("agency:USCG", r"\buscg\b|\bcoast guard\b", 0.0, "USCG"),
    _term("agency:FEMA", r"\bfema\b", 0.0, "FEMA"),
    _term("agency:ISP", r"\billinois state police\b", 0.0, "ISP"),
    # --- immigration terms and their stems, English and Spanish ---
    _term("term:immigration_dropdown", r"\bimmigration civil administrative\b", 0.99),
    _term("term:immigra", r"\bimm?igr\w*|\bimmig\b|\binmigra\w*|\bemigra\w*", 0.95),
    _term("term:deport", r"\bdeport(?:s|ed|ee|ees|ing|ation|ations|able|ar|ado|ados|ada|adas|acion|aciones)?\b", 0.97),
    _term("term:alien", r"\baliens?\b|\bextranjeros? ilegal(?:es)?\b|\bwetbacks?\b", 0.92),
    _term("term:illegal", r"\billegals\b|\billegal (?:immigrants?|entry|reentry|re entry|aliens?)\b", 0.9),
    _term("term:undocumented", r"\bundocumented\b|\bindocumentad[oa]s?\b|\bsin (?:papeles|documentos)\b", 0.92),
    _term("term:migra", r"\bmigra\b|\bmigra(?:cion|ciones|nte|ntes|torio|toria|torios|torias)\b|\bmigrants?\b", 0.85),
    _term(
        "term:removal",
        _VEHICLE_REMOVAL
        + r"\bremoval (?:order|orders|proceeding|proceedings|hearing|warrant)\b|\border of removal\b|\bexpedited removal\b|\bremovable\b"
        # a person found, held or handed over for removal ("locate for removal", "pending removal")
        + r"|\b(?:locate|locating|arrest|detain|apprehend|pick ?up|hold|custody|subject|person|individual|him|her|them)"
        r" (?:for|pending|awaiting) removal\b|" + _VEHICLE_REMOVAL + r"\b(?:pending|awaiting) removal\b",
        0.93,
    ),
    _term(
        "term:status", r"\bvisa overstay\w*|\boverstay(?:ed|s|er|ers)?\b|\bout of status\b|\bcitizenship\b|\bgreen card\b|\basylum\b", 0.8
    ),
    _term("term:eoir", r"\beoir\b|\bexecutive office for immigration review\b", 0.95),
    _term("program:287(g)", r"\b287 ?g\b", 0.97),
    _term("ncic:ivf", r"\bncic ivf\b|\bivf (?:hit|hits|hot\w*|\w*list|alert|entry|record)\b|\bviolators? file\b", 0.97),
    _term("statute:8 usc", r"\b8 ?usc ?(?:1182|1225|1226|1227|1231|1324|1325|1326|1357)\b", 0.93),
    _term(
        "form",
        r"(?<!\bnb )(?<!\bsb )(?<!\beb )(?<!\bwb )\b(?:form )?(?:i ?(?:247 ?[adnx]?|200|203|205|213|286|862)|1 (?:247 ?[adnx]?|203|286|862))\b",
        0.95,
        unless=_HIGHWAY,
    ),
)

CRIMINAL = re.compile(
    r"\b(?:stolen|theft|thefts|burg\w*|robb\w*|homicide|murder\w*|shoot\w*|shots|assault\w*|battery|carjack\w*"
    r"|kidnap\w*|abduct\w*|narcotics?|drugs?|dui|dwi|hit (?:and )?run|fraud\w*|forg(?:ed|ery)|arson|vandal\w*"
    r"|trespass\w*|weapons?|guns?|firearms?|felony|felon|misdemeanor|evading|evade|fleeing|elud\w*"
    r"|pursuit|traffick\w*|smuggl\w*|rape|sexual|csam|icac|abuse|domestic|dv|threat\w*|stalk\w*|extort\w*"
    r"|shoplift\w*|larceny|catalytic|amber|crime|crimes|criminal|offense|offender|warrant|warrants|stabbing"
    r"|fentanyl|meth|methamphetamine|cocaine|heroin|looting|reckless|dumping|victim|gta|counterfeit\w*"
    r"|embezzl\w*|possession|poss|swat|hostage|suicidal|overdose|\d{3,5} ?(?:pc|vc|hs)|10851|459|211|187|245)\b"
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
# Words the model must not judge alone: the lexicon knows their look-alikes ("ice age", "ice rink")
# and has already decided whether they name an agency. Unmatched, they are hidden from the model.
MODEL_MASK: frozenset[str] = frozenset({"ice"})
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
