"""The tables of the protected records store: what a police department holds, simplified.

Every row has a stable string id (``P0000001``, ``B0000001``, ...) so that a record id handed out by
the gateway and written to the decision log means the same row on SQLite and on PostgreSQL.

``persons`` carries three protected fields (``immigration_status``, ``citizenship``,
``place_of_birth``). Chicago's ordinance (MCC 2-173-030) forbids collecting them on purpose; they are
here because real systems hold them anyway (old forms, free-text fields, imported records), and the
gateway's redaction has to be shown to remove them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

PROTECTED_FIELDS: frozenset[str] = frozenset({"immigration_status", "citizenship", "place_of_birth"})


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "persons"

    person_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(64))
    last_name: Mapped[str] = mapped_column(String(64))
    # Lower-case name tokens, sorted: "Lopez, Maria" and "maria lopez" find the same person.
    name_key: Mapped[str] = mapped_column(String(160))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    ir_number: Mapped[str] = mapped_column(String(16), unique=True)
    drivers_license: Mapped[str | None] = mapped_column(String(32))
    immigration_status: Mapped[str | None] = mapped_column(String(40))
    citizenship: Mapped[str | None] = mapped_column(String(40))
    place_of_birth: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (Index("ix_persons_name_dob", "name_key", "date_of_birth"),)


class Booking(Base):
    """An arrest and its booking: charge, where the person is held, and when they were released."""

    __tablename__ = "bookings"

    booking_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.person_id"), index=True)
    arrested_at: Mapped[datetime] = mapped_column(DateTime)
    charge: Mapped[str] = mapped_column(String(120))
    statute: Mapped[str] = mapped_column(String(40))
    arresting_district: Mapped[str] = mapped_column(String(40))
    in_custody: Mapped[bool]
    facility: Mapped[str] = mapped_column(String(120))
    release_date: Mapped[date | None] = mapped_column(Date)


class Warrant(Base):
    """A criminal warrant signed by a judge. Administrative immigration 'warrants' (ICE I-200/I-205)
    are not warrants in this store: the check constraint keeps the kind criminal."""

    __tablename__ = "warrants"

    warrant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.person_id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    offense: Mapped[str] = mapped_column(String(120))
    statute: Mapped[str] = mapped_column(String(40))
    court: Mapped[str] = mapped_column(String(120))
    judge: Mapped[str] = mapped_column(String(80))
    issued_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("kind = 'criminal'", name="ck_warrants_criminal"),
        CheckConstraint("status IN ('active', 'served', 'quashed')", name="ck_warrants_status"),
    )


class PlateRead(Base):
    """One automated license-plate-reader (ALPR) capture."""

    __tablename__ = "plate_reads"

    read_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    plate: Mapped[str] = mapped_column(String(12))
    plate_state: Mapped[str] = mapped_column(String(2))
    read_at: Mapped[datetime] = mapped_column(DateTime)
    camera_id: Mapped[str] = mapped_column(String(16))
    location: Mapped[str] = mapped_column(String(120))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_plate_reads_plate_time", "plate", "read_at"),)


class GangEntry(Base):
    """An entry in the gang database (CPD's gang arrest cards, per the 2019 OIG report)."""

    __tablename__ = "gang_entries"

    entry_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.person_id"), index=True)
    faction: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(60))
    entered_on: Mapped[date] = mapped_column(Date)


class Contact(Base):
    """Contact information: where a person lives, works and can be reached."""

    __tablename__ = "contacts"

    contact_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.person_id"), index=True)
    address: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(2))
    zip_code: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(80))
    employer: Mapped[str | None] = mapped_column(String(80))


class DecisionRow(Base):
    """The gateway's index of the decisions it answered, so ``GET /v1/decisions/{id}`` can find one.

    A convenience copy: the decision log is the record, and every row names its log entry.
    """

    __tablename__ = "gateway_decisions"

    log_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    request_id: Mapped[str] = mapped_column(String(128), index=True)
    requester: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[int]
    decided_at: Mapped[datetime] = mapped_column(DateTime)
    body: Mapped[str] = mapped_column(Text)


# The department's records, parents before children (the decision index is not one of them).
RECORD_TABLES = [t for t in Base.metadata.sorted_tables if t.name != DecisionRow.__tablename__]
