"""Hypothesis strategies for requests drawn from the whole contract."""

from hypothesis import strategies as st

AGENCIES = [
    "ICE",
    "ICE-ERO",
    "HSI",
    "Homeland Security Investigations",
    "CBP",
    "border patrol",
    "USCIS",
    "TSA",
    "DHS",
    "FBI",
    "DEA",
    "USMS",
    "ISP",
    "Evanston PD",
    "Chicago JTTF",
    "Polk County FL SO",
    "STIC",
    "Flock Safety",
    "USPIS",
    "Cook County Sheriff",
    "FEMA",
]
TEXTS = [
    None,
    "",
    "inv",
    "robbery",
    "assist ICE+ERO",
    "immigration",
    "HSI narcotics case",
    "stolen vehicle",
    "criminal alien",
    "ice cream truck",
    "25-136102",
    "border patrol locate",
    "deportation",
    "homicide",
]
DOCS = [
    {"type": "I-247A"},
    {"type": "I-200", "signed_by": "Immigration Officer"},
    {"type": "ncic_ivf"},
    {"type": "I-205"},
    {"type": "judicial_warrant", "court": "United States District Court", "signed_by": "Magistrate Judge Lee", "criminal": True},
    {"type": "judicial_warrant", "court": "Circuit Court of Cook County", "signed_by": "Judge Novak", "criminal": True},
    {"type": "court_order", "court": "Immigration Court", "signed_by": "Immigration Judge Hale"},
    {"type": "judicial_warrant", "court": "Circuit Court of Cook County", "signed_by": "Judge Novak", "criminal": False},
]
KINDS = ["database_query", "custody_inquiry", "detainee_access", "custody_transfer", "detention_hold", "operational_support", "agreement"]
TOPICS = ["custody_status", "release_date", "contact_information"]


@st.composite
def requests(draw) -> dict:
    kind = draw(st.sampled_from(KINDS))
    raw = {"id": f"h-{draw(st.integers(0, 10**6))}", "kind": kind, "requester": {"agency": draw(st.sampled_from(AGENCIES))}}
    if draw(st.booleans()):
        raw["on_behalf_of"] = draw(st.sampled_from(AGENCIES))
    purpose = {}
    text = draw(st.sampled_from(TEXTS))
    if text is not None:
        purpose["text"] = text
    category = draw(st.sampled_from([None, "criminal", "civil_immigration", "other"]))
    if category:
        purpose["category"] = category
    raw["purpose"] = purpose
    if kind == "custody_inquiry":
        raw["resource"] = {"fields": draw(st.lists(st.sampled_from(TOPICS), unique=True))}
    else:
        raw["resource"] = {"system": draw(st.sampled_from(["CLEAR", "ALPR", "gang_database"]))}
    raw["subject"] = {
        k: draw(st.booleans()) for k in ("outstanding_criminal_warrant", "felony_conviction", "pending_felony_charge", "gang_database")
    }
    raw["documents"] = draw(st.lists(st.sampled_from(DOCS), max_size=2))
    if kind == "operational_support" or draw(st.booleans()):
        raw["operation"] = {
            "type": draw(st.sampled_from(["traffic_perimeter", "on_site_support", "other"])),
            "civil_immigration": draw(st.sampled_from([None, True, False])),
        }
    return raw
