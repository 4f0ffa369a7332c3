"""Accounts, job descriptions, question plans and results, answer records.

Adds the `user`, `job` and `answerrecord` tables and the new interview columns (owner, candidate,
invited recruiters, job, plan, scores, report). Rows of existing interviews are kept: they have
no owner (reachable only with their tokens) and no question plan.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_INTERVIEW_INDEXES = ("created_at", "job_role", "created_by", "candidate_id", "final_score")


def _timestamps_with_time_zone() -> None:
    """PostgreSQL databases made by older sqlmodel versions have naive `timestamp` columns
    (holding UTC); the models store aware times (`timestamptz`): convert them."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    insp = sa.inspect(bind)
    for table in ("interview",):
        for column in insp.get_columns(table):
            kind = column["type"]
            if isinstance(kind, sa.DateTime) and not kind.timezone:
                op.alter_column(table, column["name"], type_=sa.DateTime(timezone=True),
                                postgresql_using=f"\"{column['name']}\" AT TIME ZONE 'UTC'")


def upgrade() -> None:
    _timestamps_with_time_zone()
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("full_name", sa.String(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_user_email", "user", ["email"], unique=True)
    op.create_index("ix_user_username", "user", ["username"], unique=True)
    op.create_index("ix_user_role", "user", ["role"])

    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=True),
        sa.Column("experience", sa.String(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"], name="job_created_by_fkey"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_job_title", "job", ["title"])

    with op.batch_alter_table("interview") as batch:
        batch.add_column(sa.Column("created_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("candidate_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("recruiter_ids", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("job_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("difficulty", sa.String(), nullable=False,
                                   server_default="intermediate"))
        batch.add_column(sa.Column("question_type", sa.String(), nullable=False,
                                   server_default="mixed"))
        batch.add_column(sa.Column("num_questions", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("questions", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("plan_source", sa.String(), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("final_score", sa.Float(), nullable=True))
        batch.add_column(sa.Column("knowledge_score", sa.Float(), nullable=True))
        batch.add_column(sa.Column("confidence_score", sa.Float(), nullable=True))
        batch.add_column(sa.Column("performance_level", sa.String(), nullable=True))
        batch.add_column(sa.Column("report", sa.JSON(), nullable=True))
        batch.create_foreign_key("interview_created_by_fkey", "user", ["created_by"], ["id"])
        batch.create_foreign_key("interview_candidate_id_fkey", "user", ["candidate_id"], ["id"])
        batch.create_foreign_key("interview_job_id_fkey", "job", ["job_id"], ["id"])
        for column in NEW_INTERVIEW_INDEXES:
            batch.create_index(f"ix_interview_{column}", [column])
    # existing interviews: empty lists rather than NULL, as new rows have
    op.execute("UPDATE interview SET recruiter_ids = '[]' WHERE recruiter_ids IS NULL")
    op.execute("UPDATE interview SET questions = '[]' WHERE questions IS NULL")

    op.create_table(
        "answerrecord",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("question", sa.JSON(), nullable=True),
        sa.Column("is_follow_up", sa.Boolean(), nullable=False),
        sa.Column("answer", sa.String(), nullable=False),
        sa.Column("start", sa.Float(), nullable=False),
        sa.Column("end", sa.Float(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("evaluation", sa.JSON(), nullable=True),
        sa.Column("delivery", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_answerrecord_interview_id", "answerrecord", ["interview_id"])


def downgrade() -> None:
    op.drop_table("answerrecord")
    with op.batch_alter_table("interview") as batch:
        for column in NEW_INTERVIEW_INDEXES:
            batch.drop_index(f"ix_interview_{column}")
        batch.drop_constraint("interview_job_id_fkey", type_="foreignkey")
        batch.drop_constraint("interview_candidate_id_fkey", type_="foreignkey")
        batch.drop_constraint("interview_created_by_fkey", type_="foreignkey")
        for column in ("report", "performance_level", "confidence_score", "knowledge_score",
                       "final_score", "plan_source", "questions", "num_questions",
                       "question_type", "difficulty", "job_id", "recruiter_ids",
                       "candidate_id", "created_by"):
            batch.drop_column(column)
    op.drop_table("job")
    op.drop_table("user")
