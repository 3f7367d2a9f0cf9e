"""Document classification, both directions: ICE forms and look-alikes are never judicial; real
criminal warrants are, and every missing judicial element is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctuary.models import Document
from sanctuary.screening import DocumentClass, classify
from sanctuary.screening.documents import DocumentError
from screening_pdf import text_pdf

SAMPLES = Path(__file__).resolve().parent.parent / "src/sanctuary/screening/samples"
ALL = ("court", "judge_signature", "probable_cause", "criminal")

# sample -> (type, administrative, judicial, federal, detainer, criminal, missing)
EXPECTED = {
    "i200_warrant_for_arrest.txt": ("I-200", True, False, False, False, False, ALL),
    "i247a_detainer.txt": ("I-247A", True, False, False, True, False, ALL),
    "immigration_judge_order.txt": ("other", True, False, False, False, False, ALL),
    "ncic_ivf_hit.txt": ("ncic_ivf", True, False, False, False, False, ALL),
    "federal_magistrate_arrest_warrant.txt": ("judicial_warrant", False, True, True, False, True, ()),
    "federal_magistrate_arrest_warrant.pdf": ("judicial_warrant", False, True, True, False, True, ()),
    "circuit_court_arrest_warrant.txt": ("judicial_warrant", False, True, False, False, True, ()),
    "civil_body_attachment.txt": ("judicial_warrant", False, False, False, False, False, ("probable_cause", "criminal")),
}


def _shape(result: DocumentClass) -> tuple:
    return (result.type, result.administrative, result.judicial, result.federal, result.detainer, result.criminal, result.missing)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_samples(name: str) -> None:
    assert _shape(classify(SAMPLES / name)) == EXPECTED[name]


def test_every_sample_is_tested() -> None:
    shipped = {p.name for p in SAMPLES.iterdir() if p.suffix in (".txt", ".pdf")}
    assert shipped == set(EXPECTED)


def test_shipped_pdf_is_the_writer_output_of_its_text() -> None:
    text = (SAMPLES / "federal_magistrate_arrest_warrant.txt").read_text(encoding="utf-8")
    assert (SAMPLES / "federal_magistrate_arrest_warrant.pdf").read_bytes() == text_pdf(text)


@pytest.mark.parametrize("name", ["i200_warrant_for_arrest.txt", "i247a_detainer.txt", "circuit_court_arrest_warrant.txt"])
def test_pdf_and_text_classify_alike(name: str, tmp_path: Path) -> None:
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(text_pdf((SAMPLES / name).read_text(encoding="utf-8")))
    assert _shape(classify(pdf)) == EXPECTED[name]


def test_evidence_points_at_the_text() -> None:
    text = (SAMPLES / "circuit_court_arrest_warrant.txt").read_text(encoding="utf-8")
    result = classify(text)
    rules = {e.rule for e in result.evidence}
    assert rules == {"element:court", "element:judge_signature", "element:probable_cause", "element:criminal"}
    for item in result.evidence:
        assert text[item.start : item.end].strip() == item.text.strip()


# --- look-alikes: the wording of a warrant without what makes one judicial ----------------------

I200_WITHOUT_NUMBER = """DEPARTMENT OF HOMELAND SECURITY
WARRANT FOR ARREST OF ALIEN
To any immigration officer: arrest the above-named alien for removal proceedings.
/s/ A. Person
Immigration Officer"""

COURT_CAPTION_SIGNED_BY_OFFICER = """UNITED STATES DISTRICT COURT
Northern District of Illinois
WARRANT
The subject is charged with a felony. Probable cause has been found.
/s/ B. Person
Immigration Officer"""

JUDGE_IN_BODY_NOT_SIGNED = """IN THE CIRCUIT COURT OF COOK COUNTY
WARRANT FOR ARREST
Judge Smith presided over the hearing. The defendant is charged with a felony.
The court finds probable cause to believe the defendant committed the offense."""

DHS_PROBABLE_CAUSE = """IN THE CIRCUIT COURT OF COOK COUNTY
WARRANT
DHS has determined that probable cause exists that the subject is a removable alien.
The subject is charged with a felony.
/s/ C. Person
Judge C. Person, Circuit Judge"""

CRIMINAL_ALIEN_ONLY = """UNITED STATES DISTRICT COURT
WARRANT
The subject is a criminal alien. The court finds probable cause.
/s/ D. Person
United States Magistrate Judge"""

STATE_COURT_ORDER = """IN THE CIRCUIT COURT OF COOK COUNTY
ORDER
It is ordered that the records be produced to the parties.
ENTERED:
/s/ E. Person
Judge E. Person"""


@pytest.mark.parametrize(
    ("text", "kind", "missing"),
    [
        (I200_WITHOUT_NUMBER, "I-200", ALL),
        (COURT_CAPTION_SIGNED_BY_OFFICER, "judicial_warrant", ("judge_signature",)),
        (JUDGE_IN_BODY_NOT_SIGNED, "judicial_warrant", ("judge_signature",)),
        (DHS_PROBABLE_CAUSE, "judicial_warrant", ("probable_cause",)),
        (CRIMINAL_ALIEN_ONLY, "judicial_warrant", ("criminal",)),
    ],
)
def test_look_alikes_are_not_judicial_and_say_what_is_missing(text: str, kind: str, missing: tuple[str, ...]) -> None:
    result = classify(text)
    assert (result.type, result.judicial, result.missing) == (kind, False, missing)


def test_a_court_order_needs_no_crime() -> None:
    result = classify(STATE_COURT_ORDER)
    assert (result.type, result.judicial, result.criminal, result.federal) == ("court_order", True, False, False)
    assert "criminal" in result.missing  # named, though a court order does not need it


def test_notice_to_appear_is_an_i862_only_in_an_immigration_context() -> None:
    assert classify("NOTICE TO APPEAR\nIn removal proceedings under the Immigration and Nationality Act").type == "I-862"
    traffic = classify("NOTICE TO APPEAR\nCircuit Court of Cook County, Traffic Division. Speeding 15 over.")
    assert traffic.type != "I-862" and not traffic.administrative


def test_unknown_text_is_other_and_not_judicial() -> None:
    result = classify("Please send us everything you have on this person.")
    assert (result.type, result.administrative, result.judicial, result.missing) == ("other", False, False, ALL)


# --- declared documents (JSON fields, no text) ----------------------------------------------------


def doc(**fields) -> Document:
    return Document(**fields)


@pytest.mark.parametrize(
    ("fields", "judicial", "federal", "missing"),
    [
        (
            {
                "type": "judicial_warrant",
                "court": "United States District Court for the Northern District of Illinois",
                "signed_by": "Hon. M. Reyes",
                "signer_title": "U.S. Magistrate Judge",
                "criminal": True,
            },
            True,
            True,
            (),
        ),
        (
            {"type": "judicial_warrant", "court": "Circuit Court of Cook County", "signed_by": "Judge A. Novak", "criminal": True},
            True,
            False,
            (),
        ),
        (
            {
                "type": "judicial_warrant",
                "court": "Circuit Court of Cook County",
                "signed_by": "Judge A. Novak",
                "criminal": True,
                "probable_cause": True,
            },
            True,
            False,
            (),
        ),
        (
            {
                "type": "judicial_warrant",
                "court": "Circuit Court of Cook County",
                "signed_by": "Judge A. Novak",
                "criminal": True,
                "probable_cause": False,
            },
            False,
            False,
            ("probable_cause",),
        ),
        ({"type": "judicial_warrant", "court": "Circuit Court of Cook County", "signed_by": "Judge A. Novak"}, False, False, ("criminal",)),
        ({"type": "judicial_warrant", "signed_by": "Judge A. Novak", "criminal": True}, False, False, ("court",)),
        (
            {
                "type": "judicial_warrant",
                "court": "Circuit Court of Cook County",
                "signed_by": "R. Agent",
                "signer_title": "Immigration Officer",
                "criminal": True,
            },
            False,
            False,
            ("judge_signature",),
        ),
        ({"type": "court_order", "court": "Circuit Court of Cook County", "signed_by": "Judge A. Novak"}, True, False, ("criminal",)),
        (
            {"type": "court_order", "court": "Immigration Court, Chicago", "signed_by": "Immigration Judge R. Hale"},
            False,
            False,
            ("court", "judge_signature", "criminal"),
        ),
        ({"type": "I-200", "signed_by": "Immigration Officer"}, False, False, ("court", "judge_signature", "criminal")),
        ({"type": "I-247A", "court": "Circuit Court of Cook County", "signed_by": "Judge A. Novak", "criminal": True}, False, False, ()),
    ],
)
def test_declared_documents(fields: dict, judicial: bool, federal: bool, missing: tuple[str, ...]) -> None:
    result = classify(doc(**fields))
    assert (result.judicial, result.federal, result.missing) == (judicial, federal, missing)


@pytest.mark.parametrize("kind", ["I-247A", "I-247", "I-247D", "I-247N", "I-247X", "I-200", "I-203", "I-205", "I-286", "I-862", "ncic_ivf"])
def test_every_declared_immigration_form_is_administrative_and_never_judicial(kind: str) -> None:
    result = classify(doc(type=kind))
    assert result.administrative and not result.judicial
    assert result.detainer == kind.startswith("I-247")


def test_an_immigration_court_paper_is_administrative_whatever_it_is_declared() -> None:
    result = classify(doc(type="court_order", court="Executive Office for Immigration Review"))
    assert result.administrative and not result.judicial


def test_declared_text_is_classified_from_the_text() -> None:
    text = (SAMPLES / "i200_warrant_for_arrest.txt").read_text(encoding="utf-8")
    result = classify(doc(type="judicial_warrant", court="Circuit Court", signed_by="Judge X", criminal=True, text=text))
    assert (result.type, result.administrative, result.judicial) == ("I-200", True, False)


def test_declared_type_is_kept_when_the_text_shows_none() -> None:
    result = classify(doc(type="I-203", text="Please hold this person."))
    assert (result.type, result.administrative) == ("I-203", True)


def test_declared_court_and_judge_count_where_the_text_is_a_summary_that_shows_neither() -> None:
    summary = "Order directing the county sheriff to produce the last known address of the named person"
    fields = {"type": "court_order", "court": "United States District Court for the Western District of Washington"}
    result = classify(doc(**fields, signer_title="United States District Judge", text=summary))
    assert (result.type, result.judicial, result.federal, result.missing) == ("court_order", True, True, ("criminal",))
    assert result.court == fields["court"]
    unsigned = classify(doc(**fields, text=summary))  # no judge declared either: still not judicial
    assert (unsigned.judicial, unsigned.missing) == (False, ("judge_signature", "criminal"))


def test_a_summary_with_a_declared_immigration_judge_stays_administrative() -> None:
    result = classify(doc(type="court_order", court="Tacoma Immigration Court", signer_title="Immigration Judge", text="Order of removal"))
    assert result.administrative and not result.judicial


def test_a_court_the_text_shows_wins_over_the_declared_one() -> None:
    text = "IN THE CIRCUIT COURT OF COOK COUNTY\nOrder directing production of records.\n/s/ ____\nJudge A. Novak"
    result = classify(doc(type="court_order", court="United States District Court for the Western District of Washington", text=text))
    assert result.court.lower().startswith("circuit court") and not result.federal


def test_subpoenas_a_courts_judges_a_grand_jurys_clerks_an_agencys_never() -> None:
    court = "United States District Court for the District of Oregon"
    judges = classify(doc(type="judicial_subpoena", court=court, signed_by="Hon. S. Example, United States District Judge"))
    assert (judges.judicial, judges.federal, judges.administrative) == (True, True, False)
    assert not classify(doc(type="judicial_subpoena", court=court, signed_by="Clerk of Court")).judicial
    grand_jury = classify(doc(type="grand_jury_subpoena", court=court, signed_by="Clerk of Court", criminal=True))
    assert (grand_jury.judicial, grand_jury.federal) == (True, True)
    assert not classify(doc(type="grand_jury_subpoena", court=court, signed_by="Clerk of Court")).judicial  # no criminal matter shown
    agency = classify(doc(type="administrative_subpoena", court=court, signed_by="Hon. S. Example, United States District Judge"))
    assert (agency.administrative, agency.judicial) == (True, False)


# --- files that cannot be read --------------------------------------------------------------------


def test_missing_file_is_an_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as caught:
        classify(tmp_path / "absent.pdf")
    assert caught.value.field == "file"


def test_broken_pdf_is_an_error_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
    with pytest.raises(DocumentError) as caught:
        classify(broken)
    assert caught.value.field == "file"


def test_a_json_file_is_a_declared_document(tmp_path: Path) -> None:
    declared = tmp_path / "warrant.json"
    declared.write_text(
        '{"type": "judicial_warrant", "court": "Circuit Court of Cook County", "signed_by": "Judge A. Novak", "criminal": true}',
        encoding="utf-8",
    )
    result = classify(declared)
    assert (result.type, result.judicial, result.missing) == ("judicial_warrant", True, ())


def test_a_bad_json_document_names_the_field(tmp_path: Path) -> None:
    declared = tmp_path / "bad.json"
    declared.write_text('{"type": "I-999"}', encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        classify(declared)
    assert caught.value.field == "type"


def test_the_header_form_number_wins_over_one_cited_below() -> None:
    text = "Form I-200\nWARRANT FOR ARREST OF ALIEN\nSee also the I-247A detainer lodged on 03/01/2026."
    assert classify(text).type == "I-200"
    titled = "IMMIGRATION DETAINER - NOTICE OF ACTION\nserved with a warrant of removal"
    assert classify(titled).type == "I-247A"


def test_a_directory_is_an_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as caught:
        classify(tmp_path)
    assert caught.value.field == "file"


def test_a_pdf_without_text_is_not_judicial(tmp_path: Path) -> None:
    blank = tmp_path / "scan.pdf"
    blank.write_bytes(text_pdf(""))
    result = classify(blank)
    assert (result.type, result.judicial, result.missing) == ("other", False, ALL)


# --- declared fields and text together -----------------------------------------------------------

FEDERAL_ORDER = {
    "type": "court_order",
    "court": "United States District Court for the Southern District of California",
    "signed_by": "Hon. B. Roe",
    "signer_title": "United States Magistrate Judge",
    "criminal": True,
    "probable_cause": True,
}


def test_declared_fields_stand_for_what_an_excerpt_does_not_show() -> None:
    result = classify(doc(**FEDERAL_ORDER, text="Probable cause found; the defendant may be arrested and taken into custody."))
    assert result.judicial and result.federal and result.missing == ()


def test_the_court_the_text_shows_outranks_the_declared_one() -> None:
    text = "Superior Court of California, County of Fresno. Order. Probable cause found in this criminal case.\n/s/ Hon. C. Roe, Judge"
    result = classify(doc(**FEDERAL_ORDER, text=text))
    assert result.judicial and not result.federal and result.court.startswith("Superior Court")


def test_a_probable_cause_the_text_denies_is_missing_whatever_is_declared() -> None:
    result = classify(doc(**{**FEDERAL_ORDER, "type": "judicial_warrant"}, text="The court finds no probable cause for arrest."))
    assert "probable_cause" in result.missing and not result.judicial


@pytest.mark.parametrize(
    ("court", "federal"),
    [
        ("United States Court of Appeals for the Second Circuit", True),
        ("Supreme Court of the United States", True),
        ("New York Court of Appeals", False),
        ("Appellate Court of Illinois, First District", False),
    ],
)
def test_a_federal_court_of_appeals_is_a_federal_court(court: str, federal: bool) -> None:
    """An order of a U.S. Court of Appeals (Article III judges: VTL §201(12)(a)) is a federal court's; a
    state's court of appeals is not."""
    shown = classify(Document(type="court_order", court=court, signed_by="Hon. N. Example", signer_title="Judge"))
    assert shown.judicial and shown.federal is federal


@pytest.mark.parametrize(
    ("text", "search"),
    [
        ("Search and seizure warrant: records of the police department showing the home address of the named person", True),
        ("Warrant to search the premises and seize the records named", True),
        ("Warrant for arrest of the named person", False),
    ],
)
def test_a_warrant_commanding_a_search_is_told_from_an_arrest_warrant(text: str, search: bool) -> None:
    fields = {"type": "judicial_warrant", "court": "United States District Court for the Northern District of Illinois"}
    result = classify(doc(**fields, signer_title="United States Magistrate Judge", criminal=True, text=text))
    assert (result.type, result.judicial, result.search) == ("judicial_warrant", True, search)
    assert not classify(doc(type="court_order", court=fields["court"], text=f"Order. {text}")).search  # only a warrant
