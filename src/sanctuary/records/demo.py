"""Deterministic demo data: the same seed gives the same rows, on SQLite and on PostgreSQL.

Four well-known persons (and one plate) come first, whatever the seed, so documentation and tests
can name them; ``persons`` more are generated after them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, insert, select

from sanctuary.records import demo_vocabulary as vocab
from sanctuary.records.errors import RecordsError
from sanctuary.records.schema import RECORD_TABLES, Person
from sanctuary.records.searches import name_key
from sanctuary.records.store import RecordStore

# Fixed "now" of the demo world, so that dates do not depend on the day the data was made.
DEMO_NOW = datetime(2026, 1, 15, 12, 0, 0)
DEMO_PLATE = "DEMO123"
_CHUNK = 5000


@dataclass(frozen=True)
class DemoPerson:
    person_id: str
    name: str
    dob: date
    story: str


DEMO_PERSONS: tuple[DemoPerson, ...] = (
    DemoPerson(
        "P0000001", "Maria Lopez", date(1988, 3, 14), "in custody at the county jail on a retail-theft charge; recorded as undocumented"
    ),
    DemoPerson("P0000002", "James Carter", date(1979, 11, 2), "active criminal warrant for armed robbery signed by a Cook County judge"),
    DemoPerson(
        "P0000003", "Anh Nguyen", date(1995, 6, 30), "released last week; a disputed gang-database entry; lawful permanent resident"
    ),
    DemoPerson(
        "P0000004",
        "Daniel Kowalski",
        date(1970, 8, 21),
        f"no criminal record, only contact information; drives plate {DEMO_PLATE}, read by several cameras",
    ),
)


def _demo_rows() -> dict[str, list[dict[str, Any]]]:
    maria, james, anh, daniel = DEMO_PERSONS
    persons = [
        _person(maria, "F", "1002001", "L120-5518-8074", "undocumented", "Mexico", "Morelia, Michoacan, Mexico"),
        _person(james, "M", "1002002", "C636-4417-9302", "U.S. citizen", "United States", "Chicago, Illinois"),
        _person(anh, "F", "1002003", "N250-1187-5530", "lawful permanent resident", "Vietnam", "Hue, Vietnam"),
        _person(daniel, "M", "1002004", "K243-0719-7021", None, "Poland", "Krakow, Poland"),
    ]
    bookings = [
        dict(
            booking_id="B0000001",
            person_id=maria.person_id,
            arrested_at=DEMO_NOW - timedelta(days=3, hours=5),
            charge="Retail theft",
            statute="720 ILCS 5/16-25",
            arresting_district="010 Ogden",
            in_custody=True,
            facility=vocab.JAIL,
            release_date=None,
        ),
        dict(
            booking_id="B0000002",
            person_id=anh.person_id,
            arrested_at=DEMO_NOW - timedelta(days=12, hours=2),
            charge="Criminal damage to property",
            statute="720 ILCS 5/21-1",
            arresting_district="024 Rogers Park",
            in_custody=False,
            facility=vocab.LOCKUPS[0],
            release_date=(DEMO_NOW - timedelta(days=7)).date(),
        ),
    ]
    warrants = [
        dict(
            warrant_id="W0000001",
            person_id=james.person_id,
            kind="criminal",
            status="active",
            offense="Armed robbery",
            statute="720 ILCS 5/18-2",
            court=vocab.COURTS[0],
            judge="Hon. Loretta Washington",
            issued_on=date(2025, 12, 19),
        ),
    ]
    gang_entries = [
        dict(
            entry_id="G0000001",
            person_id=anh.person_id,
            faction=vocab.GANG_FACTIONS[0],
            source="self-admission (disputed)",
            entered_on=date(2019, 5, 2),
        ),
    ]
    contacts: list[dict[str, Any]] = [
        dict(
            contact_id="C0000001",
            person_id=maria.person_id,
            address="2418 S Kedzie Ave",
            city="Chicago",
            state="IL",
            zip_code="60623",
            phone="(773) 555-0101",
            email=None,
            employer="Restaurant, Pilsen",
        ),
        dict(
            contact_id="C0000002",
            person_id=james.person_id,
            address="6512 S Halsted St",
            city="Chicago",
            state="IL",
            zip_code="60621",
            phone="(312) 555-0102",
            email="jcarter@example.com",
            employer=None,
        ),
        dict(
            contact_id="C0000003",
            person_id=anh.person_id,
            address="1130 W Argyle St",
            city="Chicago",
            state="IL",
            zip_code="60640",
            phone="(872) 555-0103",
            email="anh.nguyen@example.org",
            employer=None,
        ),
        dict(
            contact_id="C0000004",
            person_id=daniel.person_id,
            address="3029 N Milwaukee Ave",
            city="Chicago",
            state="IL",
            zip_code="60618",
            phone="(773) 555-0104",
            email="dkowalski@example.net",
            employer="Construction (day labor)",
        ),
    ]
    reads = [
        _read(f"R{n:07d}", DEMO_PLATE, "IL", DEMO_NOW - timedelta(days=days, hours=hours), camera)
        for n, (days, hours, camera) in enumerate(((20, 3, 8), (9, 7, 0), (4, 1, 4), (1, 9, 8)), start=1)
    ]
    return {
        "persons": persons,
        "bookings": bookings,
        "warrants": warrants,
        "gang_entries": gang_entries,
        "contacts": contacts,
        "plate_reads": reads,
    }


def _person(
    p: DemoPerson, sex: str, ir: str, dl: str | None, status: str | None, citizenship: str | None, birthplace: str | None
) -> dict[str, Any]:
    first, last = p.name.split(" ", 1)
    return dict(
        person_id=p.person_id,
        first_name=first,
        last_name=last,
        name_key=name_key(p.name),
        date_of_birth=p.dob,
        sex=sex,
        ir_number=ir,
        drivers_license=dl,
        immigration_status=status,
        citizenship=citizenship,
        place_of_birth=birthplace,
    )


def _read(read_id: str, plate: str, state: str, at: datetime, camera: int) -> dict[str, Any]:
    location, lat, lon = vocab.CAMERAS[camera]
    return dict(
        read_id=read_id,
        plate=plate,
        plate_state=state,
        read_at=at,
        camera_id=f"CAM-{camera + 1:03d}",
        location=location,
        latitude=lat,
        longitude=lon,
    )


class _Generator:
    """Draws every generated row from one seeded random stream, in a fixed order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ids = {prefix: len(DEMO_PERSONS) for prefix in "PBWGC"}
        self.ids["R"] = 4

    def next_id(self, prefix: str) -> str:
        self.ids[prefix] += 1
        return f"{prefix}{self.ids[prefix]:07d}"

    def weighted(self, pairs: tuple[tuple[Any, int], ...]) -> Any:
        return self.rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]

    def person(self, ir_number: int) -> dict[str, Any]:
        rng = self.rng
        sex = rng.choice("FM")
        first = rng.choice(vocab.FIRST_NAMES_F if sex == "F" else vocab.FIRST_NAMES_M)
        last = rng.choice(vocab.LAST_NAMES)
        dob = date(1950, 1, 1) + timedelta(days=rng.randrange(56 * 365))
        citizenship = self.weighted(vocab.CITIZENSHIP_WEIGHTS)
        status = self.weighted(vocab.IMMIGRATION_STATUSES)
        if citizenship == "United States" and status is not None:
            status = "U.S. citizen"
        dl = f"{last[0].upper()}{rng.randrange(10**11):011d}" if rng.random() < 0.8 else None
        return dict(
            person_id=self.next_id("P"),
            first_name=first,
            last_name=last,
            name_key=name_key(f"{first} {last}"),
            date_of_birth=dob,
            sex=sex,
            ir_number=str(ir_number),
            drivers_license=f"{dl[:4]}-{dl[4:8]}-{dl[8:]}" if dl else None,
            immigration_status=status,
            citizenship=citizenship if rng.random() < 0.4 else None,
            place_of_birth=rng.choice(vocab.BIRTHPLACES[citizenship]) if rng.random() < 0.7 else None,
        )

    def bookings(self, person_id: str) -> list[dict[str, Any]]:
        rng = self.rng
        count = rng.choices((0, 1, 2, 3), weights=(50, 30, 15, 5))[0]
        arrests = sorted(DEMO_NOW - timedelta(minutes=rng.randrange(8 * 365 * 24 * 60)) for _ in range(count))
        rows = []
        for n, arrested_at in enumerate(arrests):
            charge, statute = rng.choice(vocab.CHARGES)
            held = n == count - 1 and rng.random() < 0.15
            released = (arrested_at + timedelta(days=rng.choice((0, 0, 1, 2, 30, 180)))).date()
            rows.append(
                dict(
                    booking_id=self.next_id("B"),
                    person_id=person_id,
                    arrested_at=arrested_at,
                    charge=charge,
                    statute=statute,
                    arresting_district=rng.choice(vocab.DISTRICTS),
                    in_custody=held,
                    facility=vocab.JAIL if held or rng.random() < 0.3 else rng.choice(vocab.LOCKUPS),
                    release_date=None if held else min(released, DEMO_NOW.date()),
                )
            )
        return rows

    def warrants(self, person_id: str) -> list[dict[str, Any]]:
        rng = self.rng
        if rng.random() >= 0.1:
            return []
        offense, statute = rng.choice(vocab.CHARGES)
        return [
            dict(
                warrant_id=self.next_id("W"),
                person_id=person_id,
                kind="criminal",
                status=rng.choices(("active", "served", "quashed"), weights=(60, 30, 10))[0],
                offense=offense,
                statute=statute,
                court=rng.choice(vocab.COURTS),
                judge=rng.choice(vocab.JUDGES),
                issued_on=DEMO_NOW.date() - timedelta(days=rng.randrange(5 * 365)),
            )
        ]

    def gang_entries(self, person_id: str) -> list[dict[str, Any]]:
        rng = self.rng
        if rng.random() >= 0.05:
            return []
        return [
            dict(
                entry_id=self.next_id("G"),
                person_id=person_id,
                faction=rng.choice(vocab.GANG_FACTIONS),
                source=rng.choice(vocab.GANG_SOURCES),
                entered_on=DEMO_NOW.date() - timedelta(days=rng.randrange(20 * 365)),
            )
        ]

    def contacts(self, person_id: str, first: str, last: str) -> list[dict[str, Any]]:
        rng = self.rng
        rows = []
        for _ in range(rng.choices((0, 1, 2), weights=(10, 75, 15))[0]):
            handle = f"{first}.{last}".lower().replace("'", "")
            rows.append(
                dict(
                    contact_id=self.next_id("C"),
                    person_id=person_id,
                    address=f"{rng.randrange(100, 9999)} {rng.choice(vocab.STREETS)}",
                    city="Chicago",
                    state="IL",
                    zip_code=rng.choice(vocab.ZIP_CODES),
                    phone=f"({rng.choice(vocab.AREA_CODES)}) 555-01{rng.randrange(100):02d}" if rng.random() < 0.8 else None,
                    email=f"{handle}{rng.randrange(100)}@example.{rng.choice(('com', 'org', 'net'))}" if rng.random() < 0.5 else None,
                    employer=rng.choice(vocab.EMPLOYERS),
                )
            )
        return rows

    def plate(self) -> tuple[str, str]:
        rng = self.rng
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        state = rng.choices(("IL", "IN", "WI"), weights=(85, 10, 5))[0]
        if state == "IL":
            plate = "".join(rng.choice(letters) for _ in range(2)) + f"{rng.randrange(10**5):05d}"
        elif state == "IN":
            plate = f"{rng.randrange(1000):03d}" + "".join(rng.choice(letters) for _ in range(3))
        else:
            plate = "".join(rng.choice(letters) for _ in range(3)) + f"{rng.randrange(10**4):04d}"
        return plate, state

    def reads(self, plate: str, state: str) -> list[dict[str, Any]]:
        rng = self.rng
        return [
            _read(
                self.next_id("R"), plate, state, DEMO_NOW - timedelta(seconds=rng.randrange(90 * 86400)), rng.randrange(len(vocab.CAMERAS))
            )
            for _ in range(rng.randint(1, 8))
        ]


def generate(persons: int, seed: int) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(table name, rows) chunks: the demo persons first, then ``persons`` generated ones."""
    yield from _demo_rows().items()
    gen = _Generator(seed)
    ir_numbers = gen.rng.sample(range(2_000_000, 9_999_999), persons)
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in ("persons", "bookings", "warrants", "gang_entries", "contacts")}
    for ir_number in ir_numbers:
        person = gen.person(ir_number)
        pid = person["person_id"]
        tables["persons"].append(person)
        tables["bookings"] += gen.bookings(pid)
        tables["warrants"] += gen.warrants(pid)
        tables["gang_entries"] += gen.gang_entries(pid)
        tables["contacts"] += gen.contacts(pid, person["first_name"], person["last_name"])
        if len(tables["persons"]) >= _CHUNK:
            yield from _drain(tables)
    yield from _drain(tables)
    reads: list[dict[str, Any]] = []
    for _ in range(max(persons // 2, 1) if persons else 0):
        reads += gen.reads(*gen.plate())
        if len(reads) >= _CHUNK:
            yield "plate_reads", reads
            reads = []
    if reads:
        yield "plate_reads", reads


def _drain(tables: dict[str, list[dict[str, Any]]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for name, rows in tables.items():  # persons first: the other tables refer to them
        if rows:
            yield name, list(rows)
            rows.clear()


def fill(store: RecordStore, persons: int, seed: int, replace: bool = False) -> dict[str, int]:
    """Write the demo data into ``store`` in one transaction and return the row count of each table.

    A store that already holds persons is left alone unless ``replace`` is set.
    """
    if persons < 0:
        raise RecordsError("persons", "must be zero or more")
    tables: dict[str, Table] = {t.name: t for t in RECORD_TABLES}
    with store.connect() as connection:
        existing = connection.execute(select(func.count()).select_from(Person)).scalar_one()
        if existing and not replace:
            raise RecordsError("store", f"already holds {existing} persons; pass --replace to start over")
        for table in reversed(RECORD_TABLES):
            connection.execute(delete(table))
        for name, rows in generate(persons, seed):
            connection.execute(insert(tables[name]), rows)
    return store.counts()
