"""Document classification: is the paper behind a request an immigration form or a judge's warrant?

ICE forms look like warrants and are not: an I-200 is titled "Warrant for Arrest of Alien" and is
signed by an immigration officer; an I-247A detainer states that *DHS* found probable cause of
removability. A warrant is judicial only when a court is named, a judge or magistrate signed it, it
rests on a neutral finding of probable cause and (for a warrant) the matter is criminal
(docs/law/federal-forms.md, "What makes a warrant judicial"). An immigration judge is not a judge for this test (EOIR is part of the
Justice Department), and an immigration court is not a court.

`classify` takes a declared document (`sanctuary.models.Document`: type and asserted fields), its
text, or a PDF/text file, and says which judicial elements are missing. It fails closed: what it
cannot establish from the text is missing, and an unreadable file is an error naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sanctuary.errors import SanctuaryError
from sanctuary.screening.purpose import Evidence

if TYPE_CHECKING:
    from sanctuary.models import Document

# administrative_subpoena: a subpoena an immigration authority's own official makes and signs (DHS
# Form I-138): never a court's (ORS 181A.823(2); RCW 43.17.420(2)). Another agency's (a DEA
# subpoena) is "other".
ADMINISTRATIVE = frozenset(
    {"I-247A", "I-247", "I-247D", "I-247N", "I-247X", "I-200", "I-203", "I-205", "I-286", "I-862", "ncic_ivf", "administrative_subpoena"}
)
# A judicial subpoena is a court's, signed by its judge; a grand jury subpoena is issued by the
# court's clerk for a grand jury, in a criminal matter: a court and the crime, no judge's signature.
JUDICIAL_TYPES = frozenset({"judicial_warrant", "court_order", "judicial_subpoena", "grand_jury_subpoena"})
# Judicial documents that compel the department to produce what they name (not a warrant, which
# commands an arrest or a search).
COMPULSORY = frozenset({"court_order", "judicial_subpoena", "grand_jury_subpoena"})
# Those of them the court's clerk issues and no judge signs, and those a judge signs.
CLERKS_SUBPOENAS = frozenset({"grand_jury_subpoena"})
JUDGES_ORDERS = COMPULSORY - CLERKS_SUBPOENAS
# Papers that are neither a court's nor an immigration form (models.DocumentType): each counts once
# verified, for whom it is — the person's written consent for the one person the request is about,
# an out-of-state agency's ALPR declaration for the requesting agency (policy.facts.derive).
CONSENT = "written_consent"
DECLARATION = "alpr_written_declaration"
ATTESTATIONS = frozenset({CONSENT, DECLARATION})
ELEMENTS = ("court", "judge_signature", "probable_cause", "criminal")
MAX_FILE_BYTES = 5_000_000
MAX_PAGES = 50
MAX_TEXT = 100_000


class DocumentError(SanctuaryError, ValueError):
    """A document that cannot be read; `field` names what was wrong."""


@dataclass(frozen=True)
class DocumentClass:
    type: str  # canonical form id, "ncic_ivf", "judicial_warrant", "court_order" or "other"
    administrative: bool  # an immigration administrative warrant, detainer, notice or NCIC IVF hit
    judicial: bool  # court, judge/magistrate signature, probable-cause finding, criminal (warrants)
    criminal: bool
    federal: bool  # issued by a federal court (the TRUST Act's "federal criminal warrant")
    detainer: bool  # the I-247 family
    missing: tuple[str, ...]  # judicial elements not established, in ELEMENTS order
    evidence: tuple[Evidence, ...] = field(default=())  # the text that established type and elements
    court: str = ""  # the issuing court as shown (declared, or found in the text)
    signer: str = ""  # the signer as shown: name and title, or the judicial title found in the text
    # The offence or statute the document is for: its declared `charge` (`documents[].charge`), else
    # its text (whose words name it); the rules read it only of a verified document (policy.facts).
    charge: str = ""
    # The data categories it requires disclosed (`documents[].compels`); the rules read them only of a
    # verified judicial document (policy.facts: `compelled`).
    compels: tuple[str, ...] = ()
    # A warrant whose text commands a search or seizure: it requires producing what it names (MCC
    # 2-173-030(a), "a lawfully issued judicial warrant"), where an arrest warrant commands an arrest.
    search: bool = False

    def to_dict(self) -> dict:
        return {
            "type": self.type,
            "administrative": self.administrative,
            "judicial": self.judicial,
            "criminal": self.criminal,
            "federal": self.federal,
            "detainer": self.detainer,
            "missing": list(self.missing),
            "evidence": [e.to_dict() for e in self.evidence],
        }


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_DASH = r"\s*[-\u2010-\u2015]?\s*"
# Each form by its number and by its title. Numbers outrank titles (an I-200 is titled "Warrant for
# Arrest"), and the first number in the document (its header) outranks one cited further down.
_FORMS: tuple[tuple[str, re.Pattern[str], re.Pattern[str] | None], ...] = (
    ("I-247A", _rx(rf"\bI{_DASH}247{_DASH}A\b"), _rx(rf"immigration detainer{_DASH}notice of action")),
    ("I-247D", _rx(rf"\bI{_DASH}247{_DASH}D\b"), _rx(rf"immigration detainer{_DASH}request for voluntary action")),
    ("I-247N", _rx(rf"\bI{_DASH}247{_DASH}N\b"), _rx(r"request for voluntary notification of release")),
    ("I-247X", _rx(rf"\bI{_DASH}247{_DASH}X\b"), _rx(r"request for voluntary transfer")),
    ("I-247", _rx(rf"\bI{_DASH}247\b"), _rx(r"\bimmigration detainer\b")),
    ("I-200", _rx(rf"\bI{_DASH}200\b"), _rx(r"warrant for arrest of (?:an )?alien")),
    ("I-205", _rx(rf"\bI{_DASH}205\b"), _rx(r"warrant of removal")),
    ("I-203", _rx(rf"\bI{_DASH}203\b"), _rx(r"order to detain or release")),
    ("I-286", _rx(rf"\bI{_DASH}286\b"), _rx(r"notice of custody determination")),
    ("I-862", _rx(rf"\bI{_DASH}862\b"), None),
    ("ncic_ivf", _rx(r"\bimmigration violators?\b|\bNCIC\b.{0,200}\bIVF\b|\bIVF\b.{0,200}\bNCIC\b"), None),
)
_NOTICE_TO_APPEAR = _rx(r"\bnotice to appear\b")
_IMMIGRATION_CONTEXT = _rx(
    r"removal proceedings|immigration and nationality act|department of homeland security|\bDHS\b|immigration judge"
    r"|immigration court|removab|\balien\b|deport"
)
_IMMIGRATION_JUDGE_ORDER = _rx(
    r"order of the immigration judge|immigration judge'?s?\s+(?:order|decision)|hereby ordered that the respondent be removed"
)
_IMMIGRATION_JUDGE = _rx(r"immigration\s+judge")
_IMMIGRATION_TRIBUNAL = _rx(r"immigration\s+court|executive office for immigration review|\bEOIR\b|board of immigration appeals")
_COURT = _rx(
    r"\b(?:united states|u\.\s?s\.)\s+district\s+court\b|\bcircuit\s+court\s+(?:of|for)\s+[a-z .]+|\bsuperior\s+court\b"
    r"|\bdistrict\s+court\s+(?:of|for)\b|\bsupreme\s+court\b|\bcourt\s+of\s+appeals\b|\bcounty\s+court\b"
    r"|\bmunicipal\s+court\b|\bcircuit\s+court\b"
)
# The federal courts by name, the one list (patterns of the plain words): the Supreme Court and the
# courts Congress established under Article III; sanctuary.policy.courts.ARTICLE_III_COURTS gives each
# its source. A judicial document of one of them, or of a United States magistrate or circuit judge, or
# one that calls itself federal, is federal.
_UNITED_STATES = r"(?:united states|u\.\s?s\.)\s+"
SUPREME_COURT = r"supreme\s+court\s+of\s+the\s+united\s+states"
DISTRICT_COURT = _UNITED_STATES + r"district\s+court"
COURT_OF_APPEALS = _UNITED_STATES + r"court\s+of\s+appeals"
COURT_OF_INTERNATIONAL_TRADE = _UNITED_STATES + r"court\s+of\s+international\s+trade"
FEDERAL_COURTS: tuple[str, ...] = (SUPREME_COURT, DISTRICT_COURT, COURT_OF_APPEALS, COURT_OF_INTERNATIONAL_TRADE)
_FEDERAL_COURT = _rx(
    "|".join(rf"\b{name}\b" for name in FEDERAL_COURTS) + rf"|\b{_UNITED_STATES}(?:magistrate\s+judge|circuit\s+judge)\b|\bfederal\b"
)
_JUDGE_TITLE = _rx(r"\b(?:magistrate\s+judge|magistrate|judge|justice)\b")
_NOT_A_JUDGE = _rx(r"immigration|deportation|\bagent\b|\bclerk\b")
_SIGNATURE = _rx(r"/s/|\bsignature\b|\bsigned\b|_{3,}|issuing judicial officer|\bissued by\b")
_PROBABLE_CAUSE = _rx(r"probable\s+cause")
_NO_PROBABLE_CAUSE = _rx(r"\b(?:no|without|lacks?)\s+probable\s+cause")
_SENTENCE = re.compile(r"[^.;\n]*(?:\n(?!\s*\n)[^.;\n]*)*")
_CRIMINAL = _rx(
    r"\bcriminal\s+(?:complaint|case|matter|offen[cs]e|charges?|information|no\.|division)|\bindictment\b|\bfelony\b"
    r"|\bmisdemeanou?r\b|\b(?:18|21)\s*u\.?\s*s\.?\s*c\.?|\b8\s*u\.?\s*s\.?\s*c\.?\s*§*\s*13(?:24|26)\b"
    r"|\b\d+\s+ILCS\s+5/|\bpeople of the state of\b|\bunited states of america\s+v\.|\bcharged with\b"
)
_CRIMINAL_ALIEN = _rx(r"criminal\s+alien")
_WARRANT = _rx(r"\bwarrant\b")
# A warrant titled a search warrant, or whose words command the search or seizure itself ("You are
# commanded to search ... and to seize the reads found": reading or-99).
_SEARCH_WARRANT = _rx(
    r"\bsearch\s+(?:and\s+seizure\s+)?warrant\b|\bwarrant\s+to\s+search\b"
    r"|\b(?:are|is)\s+(?:hereby\s+)?commanded\s+to\s+(?:search|seize)\b"
)
_ORDER = _rx(r"\border\b")


def _first(pattern: re.Pattern[str], text: str, rule: str) -> Evidence | None:
    match = pattern.search(text)
    return Evidence(match.start(), match.end(), match.group(0), rule) if match else None


def _earliest(text: str, patterns: Iterable[tuple[str, re.Pattern[str] | None]]) -> tuple[str, Evidence] | None:
    """The form whose pattern matches first in the text."""
    found: list[tuple[str, Evidence]] = []
    for form, pattern in patterns:
        evidence = _first(pattern, text, f"type:{form}") if pattern else None
        if evidence:
            found.append((form, evidence))
    return min(found, key=lambda item: item[1].start) if found else None


def _form_type(text: str) -> tuple[str, Evidence] | None:
    """The immigration document type: a form by number or title, an IJ order ("other"), an NTA."""
    found = _earliest(text, ((form, number) for form, number, _ in _FORMS))
    found = found or _earliest(text, ((form, title) for form, _, title in _FORMS))
    if found:
        return found
    order = _first(_IMMIGRATION_JUDGE_ORDER, text, "type:immigration_judge_order")
    if order:
        return "other", order
    notice = _first(_NOTICE_TO_APPEAR, text, "type:I-862")
    if notice and _IMMIGRATION_CONTEXT.search(text):
        return "I-862", notice
    return None


def _court(text: str) -> Evidence | None:
    for match in _COURT.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        if not _IMMIGRATION_TRIBUNAL.search(before + match.group(0)):
            return Evidence(match.start(), match.end(), match.group(0).strip(), "element:court")
    return None


def _judge_signature(text: str) -> Evidence | None:
    """A judge's or magistrate's title in a signature block (a marker on its line or the two above)."""
    lines = text.splitlines(keepends=True)
    offset = 0
    starts = []
    for line in lines:
        starts.append(offset)
        offset += len(line)
    for index, line in enumerate(lines):
        for match in _JUDGE_TITLE.finditer(line):
            around = line[max(0, match.start() - 30) : match.end() + 10]
            if _NOT_A_JUDGE.search(around):
                continue
            block = "".join(lines[max(0, index - 2) : index + 1])
            if _SIGNATURE.search(block):
                start = starts[index] + match.start()
                return Evidence(start, start + len(match.group(0)), match.group(0), "element:judge_signature")
    return None


def _probable_cause(text: str) -> Evidence | None:
    """A probable-cause finding in a sentence that is not about removability or by DHS."""
    for sentence in _SENTENCE.finditer(text):
        found = _PROBABLE_CAUSE.search(sentence.group(0))
        if found and not _IMMIGRATION_CONTEXT.search(sentence.group(0)) and not _NO_PROBABLE_CAUSE.search(sentence.group(0)):
            start = sentence.start() + found.start()
            return Evidence(start, start + len(found.group(0)), found.group(0), "element:probable_cause")
    return None


def _criminal(text: str) -> Evidence | None:
    masked = _CRIMINAL_ALIEN.sub(lambda m: " " * len(m.group(0)), text)
    found = _CRIMINAL.search(masked)
    return Evidence(found.start(), found.end(), text[found.start() : found.end()], "element:criminal") if found else None


def classify_text(text: str, declared: str | None = None) -> DocumentClass:
    """Classify a document from its text; `declared` is the type to use when the text shows none."""
    text = text[:MAX_TEXT]
    elements = {
        "court": _court(text),
        "judge_signature": _judge_signature(text),
        "probable_cause": _probable_cause(text),
        "criminal": _criminal(text),
    }
    evidence: list[Evidence] = []
    form = _form_type(text)
    tribunal = _first(_IMMIGRATION_TRIBUNAL, text, "type:immigration_tribunal")
    if form:
        kind, found = form
        evidence.append(found)
    elif tribunal:
        kind = "other"  # a paper of an immigration court: civil immigration, not a court's
        evidence.append(tribunal)
    elif elements["court"] and _WARRANT.search(text):
        kind = "judicial_warrant"
    elif elements["court"] and _ORDER.search(text):
        kind = "court_order"
    else:
        kind = declared or "other"
    evidence += [e for e in elements.values() if e]
    administrative = kind in ADMINISTRATIVE or (kind == "other" and (form is not None or tribunal is not None))
    required = _required(kind)
    missing = tuple(name for name in ELEMENTS if elements[name] is None)
    judicial = not administrative and kind in JUDICIAL_TYPES and not set(missing) & set(required)
    court = elements["court"]
    federal = judicial and court is not None and _FEDERAL_COURT.search(court.text) is not None
    return DocumentClass(
        type=kind,
        administrative=administrative,
        judicial=judicial,
        criminal=elements["criminal"] is not None,
        federal=federal,
        detainer=kind.startswith("I-247"),
        missing=missing,
        evidence=tuple(sorted(evidence, key=lambda e: e.start)),
        court=court.text if court else "",
        signer=elements["judge_signature"].text if elements["judge_signature"] else "",
        search=kind == "judicial_warrant" and _SEARCH_WARRANT.search(text) is not None,
    )


def _required(kind: str) -> tuple[str, ...]:
    """The elements a judicial document of this kind needs (a court order or a judicial subpoena needs
    no crime or PC; a grand jury subpoena needs the court and a criminal matter, not a judge)."""
    if kind in ("court_order", "judicial_subpoena"):
        return ("court", "judge_signature")
    if kind == "grand_jury_subpoena":
        return ("court", "criminal")
    return ELEMENTS


def classify_declared(document: Document) -> DocumentClass:
    """Classify from the fields a requester asserts (no text): nothing unasserted is assumed.

    A judicial document needs a court that is not an immigration court, a judge or magistrate as
    signer (from `signed_by` or `signer_title`) and, for a warrant, a criminal matter. `probable_cause` None means "not asserted" and is
    not held against it; False is.
    """
    tribunal = bool(_IMMIGRATION_TRIBUNAL.search(document.court or ""))
    court = bool(document.court and document.court.strip()) and not tribunal
    title = " ".join(filter(None, (document.signed_by, document.signer_title)))  # "Judge A. Novak" or a title
    judge = bool(_JUDGE_TITLE.search(title)) and not _NOT_A_JUDGE.search(title)
    immigration_judge = bool(_IMMIGRATION_JUDGE.search(title))
    present = {
        "court": court,
        "judge_signature": judge,
        "probable_cause": document.probable_cause is not False,
        "criminal": document.criminal is True,
    }
    missing = tuple(name for name in ELEMENTS if not present[name])
    # An immigration court's paper is civil immigration whatever it is declared as.
    administrative = document.type in ADMINISTRATIVE or tribunal or immigration_judge
    judicial = document.type in JUDICIAL_TYPES and not administrative and not set(missing) & set(_required(document.type))
    federal = judicial and bool(_FEDERAL_COURT.search(f"{document.court} {title}"))
    return DocumentClass(
        type=document.type,
        administrative=administrative,
        judicial=judicial,
        criminal=document.criminal is True,
        federal=federal,
        detainer=document.type.startswith("I-247"),
        missing=missing,
        court=document.court or "",
        signer=title,
        charge=document.charge or "",
        compels=document.compels or (),
    )


def read_text(path: Path) -> str:
    """The text of a PDF or text file (bounded), or DocumentError naming the file."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DocumentError("file", f"{path} is {size} bytes; the limit is {MAX_FILE_BYTES}")
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError("file", f"cannot read {path}: {exc.strerror or exc}") from None
    if data.startswith(b"%PDF"):
        return _pdf_text(path)
    return data.decode("utf-8", errors="replace")


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if len(reader.pages) > MAX_PAGES:
            raise DocumentError("file", f"{path} has {len(reader.pages)} pages; the limit is {MAX_PAGES}")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, DocumentError):
            raise
        raise DocumentError("file", f"{path} is not a readable PDF: {exc}") from None


def read_declared(path: Path) -> Document:
    """A declared document from a JSON file (the `documents[]` entry of a request)."""
    from pydantic import ValidationError

    from sanctuary.models import Document, field_errors

    try:
        return Document.model_validate_json(read_text(path))
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]["loc"]
        raise DocumentError(".".join(map(str, first)) or "document", field_errors(exc)) from None


def classify(document: Document | str | Path) -> DocumentClass:
    """Classify a declared document, a document's text (str), or a file (Path): a PDF or text
    file is classified from its text, a .json file as a declared document."""
    if isinstance(document, Path):
        if document.suffix.lower() == ".json":
            return classify(read_declared(document))
        return classify_text(read_text(document))
    if isinstance(document, str):
        return classify_text(document)
    if document.text:
        return _filled(classify_text(document.text, declared=document.type), document)
    return classify_declared(document)


def _filled(shown: DocumentClass, document: Document) -> DocumentClass:
    """A declared document with text: the text decides what it shows (its form, its court, its
    signer), and the declared fields stand for what it does not show (an excerpt). A form or an
    immigration tribunal in the text, or declared, makes it administrative; a probable cause the text
    denies stays missing whatever is declared."""
    declared = classify_declared(document)
    charge = document.charge or document.text or ""
    if shown.administrative or declared.administrative:
        return replace(shown, administrative=True, judicial=False, federal=False, charge=charge, compels=declared.compels)
    denied = {"probable_cause"} if _NO_PROBABLE_CAUSE.search(document.text or "") else set()
    missing = tuple(e for e in ELEMENTS if (e in shown.missing and e in declared.missing) or e in denied)
    judicial = shown.type in JUDICIAL_TYPES and not set(missing) & set(_required(shown.type))
    court, signer = shown.court or declared.court, shown.signer or declared.signer
    federal = judicial and bool(_FEDERAL_COURT.search(shown.court if shown.court else f"{court} {signer}"))
    return replace(
        shown,
        judicial=judicial,
        criminal=shown.criminal or declared.criminal,
        federal=federal,
        missing=missing,
        court=court,
        signer=signer,
        charge=charge,
        compels=declared.compels,
    )
