"""Alembic environment for the records store. Migrations run programmatically from
`sanctuary.records.store.migrate`, which hands over an open connection."""

from alembic import context

from sanctuary.records.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
