"""Plain-words names for the log's codes (kinds, outcomes, agency families), marked for the catalogs.

The values are English msgids; pages translate them with the reader's catalog (`_(label)`).
"""

from __future__ import annotations

from sanctuary.web.i18n import N_

KINDS = {
    "database_query": N_("Database request"),
    "custody_inquiry": N_("Inquiry about custody, release date or contact details"),
    "detainee_access": N_("Access to a person in custody"),
    "custody_transfer": N_("Custody transfer"),
    "detention_hold": N_("Hold past release (immigration detainer)"),
    "operational_support": N_("Support for an operation"),
    "refused": N_("Refused unread (not a valid request)"),
}

OUTCOMES = {"permit": N_("Permitted"), "deny": N_("Denied"), "held": N_("Held for verification or review")}

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
