"""Alembic's entry point: migrate the database named in the config (see weegtool.store.db.upgrade)."""

from __future__ import annotations

from typing import Any

from alembic import context

from weegtool.store.db import make_engine
from weegtool.store.models import Base

# SQLite cannot ALTER most things in place; batch mode copies the table, so later migrations work on both.
OPTIONS: dict[str, Any] = {
    "target_metadata": Base.metadata,
    "render_as_batch": True,
    "compare_type": True,
}


def run_migrations_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"), literal_binds=True, **OPTIONS
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(context.config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, **OPTIONS)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
