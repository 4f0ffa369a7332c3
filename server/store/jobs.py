"""Queries of job descriptions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select, update

from server.store.models import Interview, Job, User
from server.store.store import Store


def get_job(store: Store, job_id: int) -> Job | None:
    with Session(store.engine, expire_on_commit=False) as db:
        return db.get(Job, job_id)


def list_jobs(store: Store, page: int, page_size: int, query: str = "",
              created_by: int | None = None) -> tuple[list[Job], int]:
    with Session(store.engine, expire_on_commit=False) as db:
        stmt = select(Job)
        if query:
            stmt = stmt.where(func.lower(Job.title).contains(query.lower(), autoescape=True))
        if created_by is not None:
            stmt = stmt.where(Job.created_by == created_by)
        total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
        rows = db.exec(
            stmt.order_by(Job.created_at.desc(), Job.id.desc())  # type: ignore[union-attr]
            .offset((page - 1) * page_size).limit(page_size)
        ).all()
        return list(rows), int(total)


def save_job(store: Store, job_id: int | None, fields: dict[str, Any],
             user: User | None = None) -> Job:
    with Session(store.engine, expire_on_commit=False) as db:
        if job_id is None:
            job = Job(**fields, created_by=user.id if user else None)
        else:
            job = db.get(Job, job_id)
            assert job is not None
            for k, v in fields.items():
                setattr(job, k, v)
            job.updated_at = datetime.now(UTC)
        db.add(job)
        db.commit()
        db.refresh(job)
        return job


def delete_job(store: Store, job_id: int) -> None:
    """Delete a job; interviews planned from it keep their role and questions."""
    with Session(store.engine) as db:
        db.exec(update(Interview).where(Interview.job_id == job_id).values(job_id=None))
        job = db.get(Job, job_id)
        if job is not None:
            db.delete(job)
        db.commit()
