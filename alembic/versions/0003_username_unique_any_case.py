"""Usernames are unique whatever their case, in the database as in the API.

The API already refused "Alice" when "alice" existed; a unique index on lower(username) makes
the database refuse it too (a race between two sign-ups, the admin CLI, a manual insert).
An existing database holding such a pair cannot take the index: the upgrade stops and names
the usernames to rename first.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_user_username_lower"


def upgrade() -> None:
    bind = op.get_bind()
    clashes = bind.execute(sa.text(
        'SELECT lower(username) FROM "user" GROUP BY lower(username) HAVING count(*) > 1'
    )).scalars().all()
    if clashes:
        raise RuntimeError(
            "usernames that differ only in case must be renamed before this upgrade: "
            + ", ".join(sorted(clashes)))
    # a database made by create_all from the current models (then stamped 0002) has it already
    op.create_index(INDEX, "user", [sa.text("lower(username)")], unique=True,
                    if_not_exists=True)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="user")
