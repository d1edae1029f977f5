"""Alembic migrations of the store; :func:`gongkai.store.open_store` runs them to ``head``."""
