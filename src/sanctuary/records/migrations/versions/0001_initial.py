"""The first schema: persons, bookings, warrants, plate reads, gang entries, contacts.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("person_id", sa.String(16), primary_key=True),
        sa.Column("first_name", sa.String(64), nullable=False),
        sa.Column("last_name", sa.String(64), nullable=False),
        sa.Column("name_key", sa.String(160), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("ir_number", sa.String(16), nullable=False, unique=True),
        sa.Column("drivers_license", sa.String(32)),
        sa.Column("immigration_status", sa.String(40)),
        sa.Column("citizenship", sa.String(40)),
        sa.Column("place_of_birth", sa.String(80)),
    )
    op.create_index("ix_persons_name_dob", "persons", ["name_key", "date_of_birth"])
    op.create_table(
        "bookings",
        sa.Column("booking_id", sa.String(16), primary_key=True),
        sa.Column("person_id", sa.String(16), sa.ForeignKey("persons.person_id"), nullable=False),
        sa.Column("arrested_at", sa.DateTime(), nullable=False),
        sa.Column("charge", sa.String(120), nullable=False),
        sa.Column("statute", sa.String(40), nullable=False),
        sa.Column("arresting_district", sa.String(40), nullable=False),
        sa.Column("in_custody", sa.Boolean(), nullable=False),
        sa.Column("facility", sa.String(120), nullable=False),
        sa.Column("release_date", sa.Date()),
    )
    op.create_index("ix_bookings_person_id", "bookings", ["person_id"])
    op.create_table(
        "warrants",
        sa.Column("warrant_id", sa.String(16), primary_key=True),
        sa.Column("person_id", sa.String(16), sa.ForeignKey("persons.person_id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("offense", sa.String(120), nullable=False),
        sa.Column("statute", sa.String(40), nullable=False),
        sa.Column("court", sa.String(120), nullable=False),
        sa.Column("judge", sa.String(80), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.CheckConstraint("kind = 'criminal'", name="ck_warrants_criminal"),
        sa.CheckConstraint("status IN ('active', 'served', 'quashed')", name="ck_warrants_status"),
    )
    op.create_index("ix_warrants_person_id", "warrants", ["person_id"])
    op.create_table(
        "plate_reads",
        sa.Column("read_id", sa.String(16), primary_key=True),
        sa.Column("plate", sa.String(12), nullable=False),
        sa.Column("plate_state", sa.String(2), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.Column("camera_id", sa.String(16), nullable=False),
        sa.Column("location", sa.String(120), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
    )
    op.create_index("ix_plate_reads_plate_time", "plate_reads", ["plate", "read_at"])
    op.create_table(
        "gang_entries",
        sa.Column("entry_id", sa.String(16), primary_key=True),
        sa.Column("person_id", sa.String(16), sa.ForeignKey("persons.person_id"), nullable=False),
        sa.Column("faction", sa.String(60), nullable=False),
        sa.Column("source", sa.String(60), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
    )
    op.create_index("ix_gang_entries_person_id", "gang_entries", ["person_id"])
    op.create_table(
        "contacts",
        sa.Column("contact_id", sa.String(16), primary_key=True),
        sa.Column("person_id", sa.String(16), sa.ForeignKey("persons.person_id"), nullable=False),
        sa.Column("address", sa.String(120), nullable=False),
        sa.Column("city", sa.String(60), nullable=False),
        sa.Column("state", sa.String(2), nullable=False),
        sa.Column("zip_code", sa.String(10), nullable=False),
        sa.Column("phone", sa.String(20)),
        sa.Column("email", sa.String(80)),
        sa.Column("employer", sa.String(80)),
    )
    op.create_index("ix_contacts_person_id", "contacts", ["person_id"])


def downgrade() -> None:
    for table in ("contacts", "gang_entries", "plate_reads", "warrants", "bookings", "persons"):
        op.drop_table(table)
