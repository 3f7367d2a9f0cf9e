"""Build docs/data/reasons.csv, the labelled corpus for purpose screening (see README.md here).

Deterministic: the same file comes out on every run (a test checks the shipped file against a
rebuild). Run from the repository root:

    .venv/bin/python docs/data/make_reasons.py > docs/data/reasons.csv

Each row is one search reason: text, label (civil_immigration | criminal | vague | other), source
(where the base phrase comes from and which variant this is) and split (train | test). The split
is drawn per base phrase, so every variant of a held-out phrase is held out with it and the model
never sees a held-out phrase in any spelling.
"""

from __future__ import annotations

import csv
import hashlib
import random
import sys

SEED = 2173
TEST_SHARE = 5  # one base phrase in five is held out

# Reasons documented in reporting on real audit logs (docs/evidence.md, "Reasons found in real audit logs").
REPORTED = [
    "immigration", "ICE", "ICE+ERO", "ICE WARRANT", "immigration protest", "deportee", "HSI", "DHS", "CBP",
    "ICE FUGOPS", "criminal alien", "ICE pick up", "ice administrative warrant", "assist ICE with locate",
    "immigration violation", "immigration inv", "assist immigration", "deportation", "removal order",
    "Immigration (civil/administrative)", "Border Patrol", "USBP", "ERO", "USCIS",
]  # fmt: skip

AGENTS = [
    "ICE", "ICE ERO", "ERO", "HSI", "ICE HSI", "CBP", "USBP", "Border Patrol", "DHS", "USCIS", "Homeland Security",
    "Immigration and Customs Enforcement", "Customs and Border Protection", "Enforcement and Removal Operations",
    "Homeland Security Investigations", "immigration", "immigration agents", "federal immigration", "ICE OPLA",
    "CBP OFO", "ICE ERO Chicago", "DHS ICE", "US Border Patrol", "ICE agent", "HSI Chicago",
]  # fmt: skip
AGENT_TEMPLATES = [
    "assist {a}", "{a} request", "{a} warrant", "{a} admin warrant", "{a} target", "locate for {a}", "per {a}",
    "{a} case", "{a} detainer", "{a} fugitive", "{a} operation", "{a} follow up", "{a} lead", "req by {a}",
    "{a} removal", "info for {a} agent", "{a} subject", "{a} tip", "{a} collateral", "{a} surveillance",
    "{a} joint op", "{a} BOLO", "{a} inv", "{a} task force", "{a} locate", "{a} - target vehicle",
    "help {a} find subject", "{a} asked for plate", "{a} referral", "{a} hold",
]  # fmt: skip
IMMIGRATION_PHRASES = [
    "immigration hold", "immigration detainer", "illegal alien", "undocumented", "undocumented subject",
    "deportation order", "deported felon", "final order of removal", "removable alien", "visa overstay",
    "overstay", "out of status", "illegal entry", "illegal reentry", "8 USC 1326", "8 U.S.C. 1325 violation",
    "287(g)", "287g task force", "I-247A", "I-247A detainer", "I-200 warrant", "I-205 warrant of removal", "I-203",
    "I-286", "I-862 NTA", "NTA immigration court", "NCIC IVF hit", "immigration violator file", "IVF hotlist hit",
    "immigration status check", "citizenship check", "self deport", "asylum case", "expedited removal",
    "removal proceedings", "immigration court no-show", "alien registration", "illegals", "immigrant smuggling",
    "deportation flight", "ICE absconder", "EOIR hearing", "green card check", "immig viol",
    "immigration fugitive", "collateral arrest immigration", "migrant", "migrant camp", "removal hearing",
    "Immigration (civil/administrative)", "immigration enforcement", "immigration sweep", "immigrant raid",
    "person removable under INA", "deportable alien", "criminal aliens list", "alien smuggling",
]  # fmt: skip
SPANISH = [
    "inmigración", "la migra", "deportación", "orden de deportación", "indocumentado", "patrulla fronteriza",
    "asistir a ICE", "ayuda a inmigración", "migrante", "extranjero ilegal", "sin papeles", "deportar sujeto",
    "agentes de inmigración", "caso de migración", "detención migratoria",
]  # fmt: skip

CRIMES = [
    "stolen vehicle", "stolen plate", "robbery", "armed robbery", "burglary", "auto burglary", "residential burglary",
    "homicide", "attempted murder", "shooting", "shots fired", "agg assault", "aggravated battery", "carjacking",
    "kidnapping", "child abduction", "narcotics", "drug sales", "DUI", "hit and run", "fatal hit and run",
    "fraud", "identity theft", "check forgery", "arson", "vandalism", "criminal trespass", "weapons violation",
    "unlawful use of weapon", "felony warrant", "misdemeanor warrant", "evading", "fleeing and eluding", "pursuit",
    "human trafficking", "sex trafficking", "sexual assault", "ICAC", "domestic violence", "DV suspect",
    "terroristic threats", "stalking", "extortion", "retail theft", "shoplifting ring", "catalytic converter theft",
    "larceny", "AMBER alert", "stabbing", "fentanyl distribution", "cocaine", "looting", "reckless driving",
    "illegal dumping", "counterfeit currency", "embezzlement", "10851 VC", "459 PC", "211 PC", "245 PC",
    "road rage", "theft of motor vehicle", "GTA", "mail theft", "package theft", "criminal damage",
    "cargo theft", "gun recovery", "ghost gun", "drive by shooting", "murder suspect", "robbery pattern",
    "street racing", "sideshow", "possession of stolen property", "receiving stolen property", "tow theft",
]  # fmt: skip
CRIME_TEMPLATES = [
    "{c}", "{c} suspect", "{c} suspect vehicle", "{c} investigation", "{c} inv", "{c} follow up", "{c} - locate",
    "{c} case {n}", "{n} {c}", "assist FBI {c}", "DEA {c}", "ATF {c}", "USMS fugitive {c}", "{c} victim vehicle",
    "{c} BOL", "possible {c} veh", "{c} lead", "{c} pattern", "CPD {c}", "ISP {c}",
]  # fmt: skip
# Real words and phrases that a keyword or fuzzy filter would wrongly take for immigration.
HARD_NEGATIVES = [
    ("ice cream truck theft", "criminal"), ("stolen ice cream truck", "criminal"), ("black ice crash", "other"),
    ("vehicle slid on ice", "other"), ("ICAC investigation", "criminal"), ("ICAC task force", "criminal"),
    ("notice to appear traffic court", "other"), ("traffic notice to appear", "other"),
    ("vehicle removal", "other"), ("tow removal", "other"), ("snow removal", "other"),
    ("graffiti removal", "other"), ("abandoned vehicle removal order", "other"), ("ice possession", "criminal"),
    ("meth ice sales", "criminal"), ("crystal ice narcotics", "criminal"), ("assault with ice pick", "criminal"),
    ("ice rink burglary", "criminal"), ("stolen ice machine", "criminal"), ("dry ice bomb", "criminal"),
    ("ice storm damage", "other"), ("department store theft", "criminal"), ("vehicle departed scene", "criminal"),
    ("bank deposit fraud", "criminal"), ("report of suspicious person", "other"), ("airport parking theft", "criminal"),
    ("import car fraud", "criminal"), ("Alienware laptop theft", "criminal"), ("police service call", "other"),
    ("office burglary", "criminal"), ("justice center", "other"), ("vice unit", "other"), ("device theft", "criminal"),
    ("notice of violation", "other"), ("IDHS welfare check", "other"), ("DCFS welfare check", "other"),
    ("human services fraud", "criminal"), ("deserted vehicle", "other"), ("depicted in video", "other"),
    ("Secret Service counterfeit", "criminal"), ("USMS fugitive task force", "criminal"),
    ("US Marshals warrant", "criminal"), ("FBI assist", "other"), ("DEA task force", "criminal"),
    ("ATF trace", "criminal"), ("Coast Guard assist", "other"), ("TSA assist", "other"),
    ("irrigation equipment theft", "criminal"), ("decoration theft", "criminal"), ("fire marshal arson", "criminal"),
    ("NB I-205 pursuit", "criminal"), ("I-94 crash", "other"), ("I-290 shooting", "criminal"),
    ("nice car suspect", "criminal"), ("service station robbery", "criminal"), ("price gouging", "other"),
    ("hockey game ice arena theft", "criminal"), ("ice cube truck", "other"), ("shaved ice stand burglary", "criminal"),
    ("missing person", "other"), ("Missing Person / AMBER", "criminal"), ("endangered missing", "other"),
    ("welfare check", "other"), ("wellness check", "other"), ("mental health crisis", "other"),
    ("dementia patient missing", "other"), ("runaway juvenile", "other"), ("found property", "other"),
    ("parking complaint", "other"), ("noise complaint", "other"), ("civil dispute", "other"),
    ("repo", "other"), ("private property tow", "other"), ("traffic crash", "other"), ("lost plate", "other"),
    ("deportment class", "other"), ("removal of debris", "other"),
    ("ICE CREAM SOCIAL security detail", "other"), ("citizen complaint", "other"),
]  # fmt: skip
VAGUE = [
    "inv", "investigation", "Investigation", "INV", "invest", "criminal investigation", "ongoing investigation",
    "follow up", "locate", "BOL", "BOLO", "suspicious vehicle", "susp veh", "info", "intel", "assist",
    "agency assist", "check", "records check", "lead", "search", "flock hit", "hit", "test", "per request",
    "other", "n/a", "none", "unknown", "see case", "case", "track vehicle", "vehicle of interest", "POI",
    "suspect", "daytime search for best result", ".", "d", "x", "-", "?", "a", "1",
]  # fmt: skip
CASE_NUMBERS = ["25-136102", "20260332", "2026-0380", "00074", "2603300087", "RD JH123456", "24-008812", "C25-4411"]


def _held_out(base: str) -> bool:
    return hashlib.sha256(base.encode()).digest()[0] % TEST_SHARE == 0


def _spell_out(text: str, rng: random.Random) -> str:
    """Spell out one all-caps acronym: "ICE" -> "I.C.E." / "I C E" / "I-C-E"."""
    words = text.split()
    acronyms = [i for i, w in enumerate(words) if w.isalpha() and w.isupper() and 2 <= len(w) <= 5]
    if not acronyms:
        return text
    index = rng.choice(acronyms)
    sep = rng.choice([".", " ", "-", "_", ". "])
    words[index] = sep.join(words[index]) + ("." if sep.startswith(".") else "")
    return " ".join(words)


def _leet(text: str, rng: random.Random) -> str:
    swaps = {"i": "1", "I": "1", "e": "3", "E": "3", "o": "0", "O": "0", "a": "4", "s": "5", "S": "5"}
    places = [i for i, c in enumerate(text) if c in swaps]
    if not places:
        return text
    chars = list(text)
    for i in rng.sample(places, k=min(len(places), rng.choice([1, 1, 2]))):
        chars[i] = swaps[chars[i]]
    return "".join(chars)


def _misspell(text: str, rng: random.Random) -> str:
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long:
        return text
    index = rng.choice(long)
    word = words[index]
    at = rng.randrange(1, len(word) - 2)
    kind = rng.choice(["drop", "double", "swap", "vowel"])
    if kind == "drop":
        word = word[:at] + word[at + 1 :]
    elif kind == "double":
        word = word[:at] + word[at] + word[at:]
    elif kind == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    else:
        vowels = "aeiou"
        spots = [i for i in range(1, len(word)) if word[i] in vowels]
        if spots:
            i = rng.choice(spots)
            word = word[:i] + rng.choice([v for v in vowels if v != word[i]]) + word[i + 1 :]
    words[index] = word
    return " ".join(words)


def _case(text: str, rng: random.Random) -> str:
    return rng.choice([str.upper, str.lower, str.title])(text)


def _with_case_number(text: str, rng: random.Random) -> str:
    number = rng.choice(CASE_NUMBERS)
    return rng.choice([f"{number} {text}", f"{text} {number}", f"{text} case #{number}", f"{text}/{number}"])


def _punctuate(text: str, rng: random.Random) -> str:
    return rng.choice([f"*{text}*", f"{text}!!", f"{text}.", f"({text})", f"{text} -", f"- {text}"])


TRANSFORMS = {
    "spelled": _spell_out, "leet": _leet, "misspelled": _misspell, "case": _case, "case_number": _with_case_number,
    "punctuation": _punctuate,
}  # fmt: skip


def _rows(rng: random.Random) -> list[tuple[str, str, str, str]]:
    bases: list[tuple[str, str, str]] = []  # text, label, source
    bases += [(t, "civil_immigration", "reported") for t in REPORTED]
    bases += [(tpl.format(a=a), "civil_immigration", "template:agency") for a in AGENTS for tpl in rng.sample(AGENT_TEMPLATES, 8)]
    bases += [(t, "civil_immigration", "phrase:immigration") for t in IMMIGRATION_PHRASES]
    bases += [(t, "civil_immigration", "phrase:spanish") for t in SPANISH]
    bases += [
        (tpl.format(c=c, n=rng.choice(CASE_NUMBERS)), "criminal", "template:crime")
        for c in CRIMES
        for tpl in rng.sample(CRIME_TEMPLATES, 4)
    ]
    bases += [(t, label, "hard_negative") for t, label in HARD_NEGATIVES]
    bases += [(t, "vague", "vague") for t in VAGUE]
    bases += [(n, "vague", "vague:case_number") for n in CASE_NUMBERS]
    rows: list[tuple[str, str, str, str]] = []
    seen: set[str] = set()
    for text, label, source in bases:
        split = "test" if _held_out(text) else "train"
        variants = [(text, source)]
        if label != "vague":
            kinds = rng.sample(sorted(TRANSFORMS), 3 if label == "civil_immigration" else 2)
            variants += [(TRANSFORMS[k](text, rng), f"{source}+{k}") for k in kinds]
        for variant, variant_source in variants:
            if variant not in seen:
                seen.add(variant)
                rows.append((variant, label, variant_source, split))
    return rows


def main() -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["text", "label", "source", "split"])
    writer.writerows(_rows(random.Random(SEED)))


if __name__ == "__main__":
    main()
