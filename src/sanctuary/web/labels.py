"""Plain-words names for the codes the pages would otherwise show (kinds, outcomes, agency families,
documents, record fields, roles, channels), marked for the catalogs.

The values are English msgids; pages translate them with the reader's catalog (`_(label)`, or the
filters `Site` installs). tests/test_web_i18n.py checks that every code of the contract, the records
store and the registry's families has its name here.
"""

from __future__ import annotations

from sanctuary.web.i18n import N_, NP_

KINDS = {
    "database_query": N_("Database request"),
    "custody_inquiry": N_("Inquiry about custody, release date or contact details"),
    "detainee_access": N_("Access to a person in custody"),
    "custody_transfer": N_("Custody transfer"),
    "detention_hold": N_("Hold past release (immigration detainer)"),
    "operational_support": N_("Support for an operation"),
    "agreement": N_("Agreement (287(g), database access, data sharing)"),
    "refused": N_("Refused unread (not a valid request)"),
}

OUTCOMES = {"permit": N_("Permitted"), "deny": N_("Denied"), "held": N_("Held for verification or review")}
# One decision, as a row of a list says it ("Denegada"), where the words above head counts ("Denegadas").
OUTCOME = {"permit": NP_("one decision", "Permitted"), "deny": NP_("one decision", "Denied"), "held": NP_("one decision", "Held")}

FAMILY_LABELS = {
    "DHS: ICE": N_("DHS: ICE (Immigration and Customs Enforcement)"),
    "DHS: CBP": N_("DHS: CBP (Customs and Border Protection)"),
    "DHS: USCIS": N_("DHS: USCIS (Citizenship and Immigration Services)"),
    "DHS: other": N_("DHS: another part of Homeland Security"),
    "DOJ": N_("Department of Justice (FBI, DEA, ATF, US Marshals)"),
    "Other federal": N_("Another federal agency"),
    "State": N_("State agency"),
    "Local": N_("Local police or sheriff"),
    "Multi-agency": N_("Multi-agency task force"),
    "Private": N_("Private company"),
    "Unregistered": N_("Unregistered agency"),
    "Unreadable request": N_("Unreadable request"),
}

# The documents of the contract (models.DocumentType), named as an officer or a resident knows them.
DOCUMENTS = {
    "I-247A": N_("I-247A immigration detainer (ICE form, not a court's)"),
    "I-247": N_("I-247 immigration detainer (older ICE form)"),
    "I-247D": N_("I-247D detainer: request for voluntary action (ICE form)"),
    "I-247N": N_("I-247N request for notice of release (ICE form)"),
    "I-247X": N_("I-247X request for voluntary transfer (ICE form)"),
    "I-200": N_("I-200 administrative arrest warrant (ICE form, not a court's)"),
    "I-203": N_("I-203 order to detain or release (ICE form)"),
    "I-205": N_("I-205 administrative removal warrant (ICE form, not a court's)"),
    "I-286": N_("I-286 notice of custody determination (ICE form)"),
    "I-862": N_("I-862 notice to appear in immigration court"),
    "ncic_ivf": N_("NCIC immigration violator record (a database entry, not a warrant)"),
    "judicial_warrant": N_("Warrant signed by a judge"),
    "court_order": N_("Court order signed by a judge"),
    "judicial_subpoena": N_("Subpoena signed by a judge"),
    "grand_jury_subpoena": N_("Grand jury subpoena (issued by the court's clerk)"),
    "administrative_subpoena": N_("Administrative subpoena of an immigration agency (DHS form I-138, not a court's)"),
    "written_consent": N_("Written consent of the person the request is about"),
    "alpr_written_declaration": N_("Out-of-state agency's signed plate-reader (ALPR) declaration"),
    "other": N_("Another document"),
}

SEARCHES = {  # the searches of a database request (models.SearchType)
    "person": N_("Person"),
    "plate": N_("Plate"),
    "warrant": N_("Warrant"),
    "custody": N_("Custody"),
    "contact": N_("Contact"),
}

CUSTODY_TOPICS = {
    "custody_status": N_("Custody status"),
    "release_date": N_("Release date"),
    "contact_information": N_("Contact information"),
    "warrant": N_("Whether the agency's own warrant or NCIC record is civil or criminal"),
}

# The records the shipped store hands out (records/categories.toml), kind and field by field.
RECORD_KINDS = {
    "person": N_("Person"),
    "booking": N_("Booking (arrest)"),
    "warrant": N_("Warrant"),
    "contact": N_("Contact details"),
    "gang_entry": N_("Gang database entry"),
    "plate_read": N_("License plate read"),
}
RECORD_FIELDS = {
    "record_id": N_("Record number"),
    "kind": N_("Kind"),
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "date_of_birth": N_("Date of birth"),
    "sex": N_("Sex"),
    "ir_number": N_("IR number"),
    "drivers_license": N_("Driver's license"),
    "immigration_status": N_("Immigration status"),
    "citizenship": N_("Citizenship"),
    "place_of_birth": N_("Place of birth"),
    "person_id": N_("Person number"),
    "arrested_at": N_("Arrested on"),
    "charge": N_("Charge"),
    "statute": N_("Statute"),
    "arresting_district": N_("Arresting district"),
    "in_custody": N_("In custody"),
    "facility": N_("Facility"),
    "release_date": N_("Release date"),
    "status": N_("Status"),
    "offense": N_("Offense"),
    "court": N_("Court"),
    "judge": N_("Judge"),
    "issued_on": N_("Issued on"),
    "address": N_("Address"),
    "city": N_("City"),
    "state": N_("State"),
    "zip_code": N_("ZIP code"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "employer": N_("Employer"),
    "faction": N_("Faction"),
    "source": N_("Source"),
    "entered_on": N_("Entered on"),
    "plate": N_("Plate"),
    "plate_state": N_("Plate state"),
    "read_at": N_("Read at"),
    "camera_id": N_("Camera"),
    "location": N_("Location"),
    "latitude": N_("Latitude"),
    "longitude": N_("Longitude"),
}

ROLES = {"desk": N_("desk"), "oversight": N_("oversight"), "admin": N_("admin")}
CHANNELS = {
    "api": N_("through the API"),
    "desk": N_("at the desk"),
    "proxy": N_("through the proxy"),
    "authz": N_("through the authorization hook"),
}
HELD_REASONS = {
    "verification_required": N_("A document must be verified with whoever issued it before anything is done."),
    "needs_review": N_("An officer must review the request before anything is done."),
}
PURPOSES = {
    "": N_("Not stated"),
    "criminal": N_("Criminal"),
    "civil_immigration": N_("Civil immigration"),
    "other": N_("Other"),
    "needs_review": N_("Needs review"),
    "vague": N_("Vague"),
}

# The gateway's handling caveat (gateway.answers.CAVEAT, which every answer carries), for the desk's
# record in the reader's language; tests/test_web_i18n.py checks it is the gateway's, word for word.
CAVEAT = N_(
    "Police records are released only for the purpose the decision permits, under the clauses it cites: "
    "do not re-disseminate them or use them for civil immigration enforcement. Every decision, and what it "
    "released, is recorded in the decision log."
)
