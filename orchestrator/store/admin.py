"""Schema administration: the revision, upgrades (alembic), and reset."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from orchestrator import schema, xcom_backend
from orchestrator.store.database import unit_of_work
from orchestrator.store.xcoms import referenced_objects

#: Where the alembic migrations are.
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class SchemaAdmin:
    """The store's schema (a part of :class:`~orchestrator.store.Store`)."""

    @unit_of_work
    def schema_revision(self) -> str | None:
        """The database's alembic revision (``None``: no schema yet)."""
        with self.begin() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()

    def upgrade(self) -> None:
        """Bring the schema to the current revision (alembic migrations). An empty database gets
        the current tables at once, stamped with the head revision (the tests check that the
        migrations and the models make the same schema): a first run starts faster. Raises
        SQLAlchemy's error when the database is unreachable (no retries: see :meth:`ensure_schema`)."""
        with self.engine.begin() as conn:
            self.dialect.lock_schema(conn)
            if not inspect(conn).get_table_names():
                schema.metadata.create_all(conn)
                conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                                     "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")
                conn.exec_driver_sql(f"INSERT INTO alembic_version (version_num) VALUES ('{schema.SCHEMA_REVISION}')")
                return
            from alembic import command
            from alembic.config import Config

            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def ensure_schema(self) -> None:
        """Upgrade when the schema is missing or older than this code expects. Raises
        :class:`ChordflowError` when the database stays unreachable."""
        if self.schema_revision() != schema.SCHEMA_REVISION:
            self.retrying(self.upgrade)

    def reset(self) -> None:
        """Drop every table and create them again: all runs are lost, and the XCom objects
        their rows referred to are deleted."""
        with self.engine.begin() as conn:
            objects = referenced_objects(conn, []) if inspect(conn).has_table("xcom") else []
            schema.metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        self.upgrade()
        xcom_backend.delete_objects(objects)
