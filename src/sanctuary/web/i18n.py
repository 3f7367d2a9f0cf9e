"""The words of the public pages in English and Spanish (`?lang=es`); staff pages are in English."""

from __future__ import annotations

LANGS = ("en", "es")

KINDS = {
    "en": {
        "database_query": "Database request",
        "custody_inquiry": "Custody or release-date inquiry",
        "detainee_access": "Access to a person in custody",
        "custody_transfer": "Custody transfer",
        "detention_hold": "Hold past release (detainer)",
        "operational_support": "Support for an operation",
        "refused": "Refused unread (not a valid request)",
    },
    "es": {
        "database_query": "Solicitud de bases de datos",
        "custody_inquiry": "Consulta sobre custodia o fecha de salida",
        "detainee_access": "Acceso a una persona detenida",
        "custody_transfer": "Traslado de custodia",
        "detention_hold": "Retención después de la salida (detainer)",
        "operational_support": "Apoyo a un operativo",
        "refused": "Rechazada sin leer (solicitud no válida)",
    },
}

OUTCOMES = {"en": {"permit": "Permitted", "deny": "Denied"}, "es": {"permit": "Permitida", "deny": "Denegada"}}

FAMILIES_ES = {
    "DHS: other": "DHS: otra",
    "Other federal": "Otra agencia federal",
    "State": "Estatal",
    "Local": "Local",
    "Multi-agency": "Multiagencia",
    "Private": "Privada",
    "Unregistered": "No registrada",
    "Unreadable request": "Solicitud ilegible",
}

TEXT = {
    "en": {
        "site": "Sanctuary rules: Chicago Police Department",
        "skip": "Skip to content",
        "report": "Public transparency report",
        "rights": "Your rights",
        "other_lang": "Español",
        "report_intro": "Requests from outside agencies for police data or help, counted per quarter from the "
        "tamper-evident decision log. Only totals are shown: never a person, never a case.",
        "no_entries": "No decisions have been recorded yet.",
        "quarter": "Quarter",
        "total": "Requests decided",
        "ordinance": "What the ordinance's quarterly report asks for",
        "immigration_requests": "Requests from immigration agencies or for civil immigration enforcement",
        "detainers": "Immigration detainers received (forms I-247)",
        "admin_warrants": "Administrative immigration warrants received (forms I-200, I-203, I-205)",
        "transfers": "People transferred to another agency's custody, by receiving agency",
        "none": "none",
        "by_family": "By agency family",
        "by_kind": "By kind of request",
        "by_outcome": "By outcome",
        "by_clause": "Clauses cited in denials",
        "permitted": "Permitted",
        "denied": "Denied",
        "count": "Count",
        "csv": "Download as CSV",
        "print": "Print",
        "rights_link": "What the police will and will not do if an immigration agency asks",
        "chart_quarters": "Requests per quarter, permitted and denied",
        "family": "Agency family",
        "kind": "Kind",
        "clause": "Clause",
        "agency": "Agency",
        "rights_title": "What the Chicago police will and will not do if an immigration agency asks",
        "rights_intro": "These are the rules the police follow today, taken word for word from the law now in "
        "force. When the law changes, this page changes with it.",
        "will_not": "What the police will not do",
        "may": "What the police may still do",
        "law": "The law in force",
        "cite": "Law",
        "report_link": "See how often agencies asked, and what was decided",
        "generated": "Generated from the active rules",
    },
    "es": {
        "site": "Reglas santuario: Departamento de Policía de Chicago",
        "skip": "Ir al contenido",
        "report": "Informe público de transparencia",
        "rights": "Sus derechos",
        "other_lang": "English",
        "report_intro": "Solicitudes de agencias externas de datos o ayuda de la policía, contadas por trimestre a "
        "partir del registro de decisiones a prueba de alteraciones. Solo se muestran totales: "
        "nunca una persona, nunca un caso.",
        "no_entries": "Todavía no se ha registrado ninguna decisión.",
        "quarter": "Trimestre",
        "total": "Solicitudes decididas",
        "ordinance": "Lo que pide el informe trimestral de la ordenanza",
        "immigration_requests": "Solicitudes de agencias de inmigración o para la aplicación civil de inmigración",
        "detainers": "Órdenes de retención migratoria recibidas (formularios I-247)",
        "admin_warrants": "Órdenes administrativas de inmigración recibidas (formularios I-200, I-203, I-205)",
        "transfers": "Personas trasladadas a la custodia de otra agencia, por agencia receptora",
        "none": "ninguna",
        "by_family": "Por familia de agencia",
        "by_kind": "Por tipo de solicitud",
        "by_outcome": "Por resultado",
        "by_clause": "Cláusulas citadas en las denegaciones",
        "permitted": "Permitidas",
        "denied": "Denegadas",
        "count": "Cantidad",
        "csv": "Descargar en CSV",
        "print": "Imprimir",
        "rights_link": "Lo que la policía hará y no hará si una agencia de inmigración lo pide",
        "chart_quarters": "Solicitudes por trimestre, permitidas y denegadas",
        "family": "Familia de agencia",
        "kind": "Tipo",
        "clause": "Cláusula",
        "agency": "Agencia",
        "rights_title": "Lo que la policía de Chicago hará y no hará si una agencia de inmigración lo pide",
        "rights_intro": "Estas son las reglas que la policía sigue hoy, tomadas de la ley vigente. Cuando la ley "
        "cambia, esta página cambia con ella.",
        "will_not": "Lo que la policía no hará",
        "may": "Lo que la policía sí puede hacer",
        "law": "La ley vigente",
        "cite": "Ley",
        "report_link": "Vea cuántas veces pidieron las agencias y qué se decidió",
        "generated": "Generado a partir de las reglas vigentes",
    },
}


def lang_of(value: str | None) -> str:
    return value if value in LANGS else "en"


def family_label(lang: str, family: str) -> str:
    return FAMILIES_ES.get(family, family) if lang == "es" else family
