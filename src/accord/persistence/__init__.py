"""Storage: SQLAlchemy 2 records, repositories (they flush, never commit), Alembic migrations.

Knows tables and queries only; what the data means belongs to the engine and the services.
"""
