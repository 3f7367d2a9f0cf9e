"""Typed searches: the only questions the records store answers. Callers never send SQL.

Each search is a pydantic model with a literal ``search`` tag, so a JSON body picks one by name and
a bad field comes back as an error that names it:

    {"search": "person",  "name": "Maria Lopez", "dob": "1988-03-14"}
    {"search": "plate",   "plate": "DEMO123", "since": "2026-01-01T00:00:00Z"}
    {"search": "warrant", "person_id": "P0000002"}
    {"search": "custody", "name": "Lopez, Maria", "dob": "1988-03-14"}
    {"search": "contact", ...}   {"search": "gang", ...}

Person-keyed searches take either a ``person_id`` or a ``name`` with a ``dob``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from sanctuary.policy.categories import SEARCHES
from sanctuary.records.errors import RecordsError

MAX_RESULTS = 1000
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split()
)


def name_key(name: str) -> str:
    """Order- and case-free form of a name: accents dropped, punctuation dropped, tokens sorted."""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower().replace("'", "")
    return " ".join(sorted(re.findall(r"[a-z0-9]+", plain)))


class _Search(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    limit: int = Field(default=100, ge=1, le=MAX_RESULTS)


class _PersonKeyed(_Search):
    person_id: str | None = Field(default=None, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9-]+$")
    name: str | None = Field(default=None, min_length=1, max_length=128)
    dob: date | None = None

    @field_validator("name")
    @classmethod
    def _name_has_letters(cls, value: str | None) -> str | None:
        if value is not None and not name_key(value):
            raise ValueError("a name needs at least one letter or digit")
        return value

    @field_validator("dob")
    @classmethod
    def _dob_plausible(cls, value: date | None) -> date | None:
        if value is not None and not date(1900, 1, 1) <= value <= datetime.now(UTC).date():
            raise ValueError("date of birth must be between 1900-01-01 and today")
        return value

    @model_validator(mode="after")
    def _identifies_someone(self) -> _PersonKeyed:
        if self.person_id is None and (self.name is None or self.dob is None):
            raise ValueError("give person_id, or both name and dob")
        return self


class PersonSearch(_PersonKeyed):
    """The person record itself (identity, document numbers, and the protected fields)."""

    search: Literal["person"]


class WarrantSearch(_PersonKeyed):
    """Warrant check: the person's active criminal warrants, with court and judge."""

    search: Literal["warrant"]


class CustodySearch(_PersonKeyed):
    """Custody status: the person's bookings, newest first, with facility and release date."""

    search: Literal["custody"]


class ContactSearch(_PersonKeyed):
    """Contact information: address, phone, email, employer."""

    search: Literal["contact"]


class GangSearch(_PersonKeyed):
    """Gang-database entries for the person."""

    search: Literal["gang"]


class PlateSearch(_Search):
    """License-plate-reader captures of one plate, oldest first, optionally within a time window.

    A plate may carry its state as a prefix ("IL-ABC1234"); spaces and other dashes are ignored.
    """

    search: Literal["plate"]
    plate: str = Field(min_length=1, max_length=16)
    state: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    since: datetime | None = None
    until: datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _state_prefix(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("plate"), str):
            match = re.fullmatch(r"\s*([A-Za-z]{2})-(.+)", data["plate"])
            if match and match.group(1).upper() in US_STATES and data.get("state") in (None, match.group(1).upper()):
                data = {**data, "state": match.group(1).upper(), "plate": match.group(2)}
        return data

    @field_validator("plate")
    @classmethod
    def _plate_chars(cls, value: str) -> str:
        plate = re.sub(r"[\s-]", "", value).upper()
        if not re.fullmatch(r"[A-Z0-9]{1,8}", plate):
            raise ValueError("a plate is 1 to 8 letters and digits, optionally after a state (IL-ABC1234)")
        return plate

    @field_validator("since", "until")
    @classmethod
    def _as_utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    @model_validator(mode="after")
    def _window_in_order(self) -> PlateSearch:
        if self.since and self.until and self.since > self.until:
            raise ValueError("since must not be after until")
        return self


Search = Annotated[
    PersonSearch | WarrantSearch | CustodySearch | ContactSearch | GangSearch | PlateSearch,
    Field(discriminator="search"),
]
SEARCH_NAMES: tuple[str, ...] = tuple(SEARCHES)
_TYPED: dict[str, type[_Search]] = {get_args(m.model_fields["search"].annotation)[0]: m for m in get_args(get_args(Search)[0])}
if set(_TYPED) != set(SEARCH_NAMES):
    raise RecordsError("search", f"the typed searches {sorted(_TYPED)} are not policy.categories.SEARCHES {sorted(SEARCH_NAMES)}")
# The searches that find a person (person_id, or name and dob): a request's subject keys them.
PERSON_KEYED: frozenset[str] = frozenset(name for name, model in _TYPED.items() if issubclass(model, _PersonKeyed))

_adapter: TypeAdapter[Search] = TypeAdapter(Search)


def parse_search(data: object) -> Search:
    """Validate a JSON-like value as one of the typed searches (raises pydantic.ValidationError)."""
    return _adapter.validate_python(data)
