"""The first schema: interviews, their events and transcript segments.

This is what `SQLModel.metadata.create_all` made before migrations existed; a database made that
way (tables but no `alembic_version`) is stamped with this revision and then upgraded.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interview",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("job_role", sa.String(), nullable=False),
        sa.Column("candidate_token", sa.String(), nullable=False),
        sa.Column("spectator_token", sa.String(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_interview_status", "interview", ["status"])
    op.create_table(
        "eventrecord",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("t", sa.Float(), nullable=False),
        sa.Column("wall", sa.Float(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("interview_id", "seq"),
    )
    op.create_index("ix_eventrecord_interview_id", "eventrecord", ["interview_id"])
    op.create_index("ix_eventrecord_type", "eventrecord", ["type"])
    op.create_table(
        "transcriptsegment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("utterance", sa.Integer(), nullable=False),
        sa.Column("start", sa.Float(), nullable=False),
        sa.Column("end", sa.Float(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_transcriptsegment_interview_id", "transcriptsegment", ["interview_id"])


def downgrade() -> None:
    op.drop_table("transcriptsegment")
    op.drop_table("eventrecord")
    op.drop_table("interview")
