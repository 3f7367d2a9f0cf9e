"""The protected records store: the department's data, reachable only through typed searches.

store = open_store("var/records.db")            # or "postgresql://user@host/db"
records = store.search(parse_search({"search": "custody", "name": "Maria Lopez", "dob": "1988-03-14"}))
handed_out = redact(records, decision_redactions)
"""

from sanctuary.records.disclosure import Disclosed, disclosed, redact
from sanctuary.records.errors import InvalidStoreURL, RecordsError, StoreUnavailable
from sanctuary.records.schema import PROTECTED_FIELDS
from sanctuary.records.searches import SEARCH_NAMES, Search, parse_search
from sanctuary.records.store import Record, RecordStore, open_store

__all__ = [
    "PROTECTED_FIELDS",
    "SEARCH_NAMES",
    "Disclosed",
    "InvalidStoreURL",
    "Record",
    "RecordStore",
    "RecordsError",
    "Search",
    "StoreUnavailable",
    "disclosed",
    "open_store",
    "parse_search",
    "redact",
]
