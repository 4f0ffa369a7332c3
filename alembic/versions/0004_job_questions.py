"""Jobs can hold recruiter-authored questions (text, key points, wrong claims).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("job")}
    if "questions" not in columns:  # a database made by create_all from the current models
        op.add_column("job", sa.Column("questions", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("job", "questions")
