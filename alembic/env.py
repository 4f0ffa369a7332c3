"""Alembic environment: the server's sqlmodel tables; batch mode (table copies) on SQLite.

Run by `server.store.migrations.upgrade` with an open connection
(`config.attributes["connection"]`), or by the `alembic` command line with a URL from
`-x url=...` / DATABASE_URL.
"""

from __future__ import annotations

import logging.config

from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

import server.store.models  # noqa: F401 - registers the tables on SQLModel.metadata
from alembic import context

config = context.config
target_metadata = SQLModel.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if url:
        return url
    from server.config import Settings

    return Settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True,
        render_as_batch=_url().startswith("sqlite"),
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # called by the server: use its engine's connection
        _configure(connection)
        return
    if config.config_file_name:  # the command line: its logging configuration
        logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.begin() as connection:
        _configure(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
