"""Alembic migrations of the weegtool database; run them with :func:`weegtool.store.db.upgrade`."""
