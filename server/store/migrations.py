"""Schema migrations (Alembic), run by `Store` on start-up: `upgrade(engine)`.

The migration scripts live in `alembic/` next to the `server` package (a source checkout or an
editable install; set ALEMBIC_DIR when they are elsewhere). A database made by the server before
migrations existed (tables, but no `alembic_version`) is adopted first: stamped with the revision
its tables match, then upgraded like any other. Processes that start at the same time migrate one
after the other (PostgreSQL: an advisory lock; SQLite: its write lock).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from alembic import command

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
INITIAL = "0001"  # interview, eventrecord, transcriptsegment: the schema before migrations
ACCOUNTS = "0002"  # + user, job, answerrecord and the new interview columns
#: 0003: usernames unique in any case (an unversioned database of the current models has the
#: index already; 0003 then only records itself)
PG_LOCK_KEY = 0x1E7E_2A1E  # pg_advisory_xact_lock key of "migrating the schema"


def script_location() -> Path:
    """The `alembic/` folder of migration scripts."""
    candidates = [os.environ.get("ALEMBIC_DIR", ""), ROOT / "alembic", Path.cwd() / "alembic"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "env.py").is_file():
            return Path(candidate).resolve()
    raise RuntimeError(
        f"alembic migration scripts not found (looked in {ROOT / 'alembic'} and the working "
        "directory); set ALEMBIC_DIR to the folder holding env.py and versions/"
    )


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config for the scripts, independent of the working directory and of any ini."""
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location()).replace("%", "%%"))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine_or_connection: Engine | Connection) -> str | None:
    if isinstance(engine_or_connection, Engine):
        with engine_or_connection.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    return MigrationContext.configure(engine_or_connection).get_current_revision()


def legacy_revision(connection: Connection) -> str | None:
    """The revision an unversioned database's tables match; None for an empty database."""
    insp = inspect(connection)
    tables = set(insp.get_table_names())
    if "alembic_version" in tables or "interview" not in tables:
        return None
    interview_columns = {c["name"] for c in insp.get_columns("interview")}
    if {"user", "job", "answerrecord"} <= tables and "created_by" in interview_columns:
        return ACCOUNTS  # made by create_all with the account models, before migrations
    return INITIAL


def _lock(conn: Connection) -> None:
    """Serialise migrations of one database across processes (until the transaction ends)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
    elif conn.dialect.name == "sqlite":
        # SQLite's write lock, taken now rather than at the first write; the DDL then runs in
        # this transaction, so a start that waited sees the finished schema
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database's schema to `revision` (adopting an unversioned database first)."""
    if revision == "head" and current_revision(engine) == head_revision():
        return  # the usual start: nothing to do, no lock taken
    with engine.begin() as conn:
        _lock(conn)
        cfg = alembic_config(conn)
        legacy = legacy_revision(conn)
        if legacy is not None:
            log.warning("database has tables but no schema version: stamping it %s", legacy)
            command.stamp(cfg, legacy)
        before = current_revision(conn)
        command.upgrade(cfg, revision)
        after = current_revision(conn)
        if before != after:
            log.info("database schema upgraded from %s to %s", before or "empty", after)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` (an operator's undo; the server never does this)."""
    with engine.begin() as conn:
        _lock(conn)
        command.downgrade(alembic_config(conn), revision)
