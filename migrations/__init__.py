"""Alembic migrations for aktflow (run with ``aktflow db upgrade``)."""
