"""The schema revision this code expects: alembic's ``version_num`` once the store is migrated
(a test checks it is the migrations' head). Kept apart from :mod:`orchestrator.schema` so that
reading it imports no SQLAlchemy (:mod:`orchestrator.store.direct` checks it)."""

SCHEMA_REVISION = "0011"
