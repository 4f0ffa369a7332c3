"""Schema migrations: a fresh database gets the models' schema; a database made by the old
server (create_all, no alembic_version) is adopted and upgraded with its data kept; on SQLite
and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from server.accounts.users import create_user
from server.store.migrations import current_revision, downgrade, head_revision, upgrade
from server.store.models import AnswerRecord, Interview, Job, User
from server.store.store import Store
from tests.support.db import database_url, raw_postgres

ROOT = Path(__file__).resolve().parents[3]
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

# The schema the server made before migrations existed (SQLModel.metadata.create_all), as
# SQLite stored it, and as PostgreSQL got it from an older sqlmodel (naive timestamps).
OLD_SCHEMA = {
    "sqlite": """
CREATE TABLE interview (
    id VARCHAR NOT NULL, created_at DATETIME NOT NULL, started_at DATETIME,
    ended_at DATETIME, status VARCHAR NOT NULL, title VARCHAR NOT NULL,
    job_role VARCHAR NOT NULL, candidate_token VARCHAR NOT NULL,
    spectator_token VARCHAR NOT NULL, settings JSON, PRIMARY KEY (id));
CREATE INDEX ix_interview_status ON interview (status);
CREATE TABLE eventrecord (
    id INTEGER NOT NULL, interview_id VARCHAR NOT NULL, seq INTEGER NOT NULL,
    type VARCHAR NOT NULL, t FLOAT NOT NULL, wall FLOAT NOT NULL, data JSON,
    PRIMARY KEY (id), UNIQUE (interview_id, seq),
    FOREIGN KEY(interview_id) REFERENCES interview (id));
CREATE INDEX ix_eventrecord_type ON eventrecord (type);
CREATE INDEX ix_eventrecord_interview_id ON eventrecord (interview_id);
CREATE TABLE transcriptsegment (
    id INTEGER NOT NULL, interview_id VARCHAR NOT NULL, utterance INTEGER NOT NULL,
    start FLOAT NOT NULL, "end" FLOAT NOT NULL, text VARCHAR NOT NULL, words JSON,
    PRIMARY KEY (id), FOREIGN KEY(interview_id) REFERENCES interview (id));
CREATE INDEX ix_transcriptsegment_interview_id ON transcriptsegment (interview_id);
""",
    "postgres": """
CREATE TABLE interview (
    id VARCHAR NOT NULL, created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    started_at TIMESTAMP WITHOUT TIME ZONE, ended_at TIMESTAMP WITHOUT TIME ZONE,
    status VARCHAR NOT NULL, title VARCHAR NOT NULL, job_role VARCHAR NOT NULL,
    candidate_token VARCHAR NOT NULL, spectator_token VARCHAR NOT NULL, settings JSON,
    PRIMARY KEY (id));
CREATE INDEX ix_interview_status ON interview (status);
CREATE TABLE eventrecord (
    id SERIAL NOT NULL, interview_id VARCHAR NOT NULL, seq INTEGER NOT NULL,
    type VARCHAR NOT NULL, t FLOAT NOT NULL, wall FLOAT NOT NULL, data JSON,
    PRIMARY KEY (id), UNIQUE (interview_id, seq),
    FOREIGN KEY(interview_id) REFERENCES interview (id));
CREATE INDEX ix_eventrecord_type ON eventrecord (type);
CREATE INDEX ix_eventrecord_interview_id ON eventrecord (interview_id);
CREATE TABLE transcriptsegment (
    id SERIAL NOT NULL, interview_id VARCHAR NOT NULL, utterance INTEGER NOT NULL,
    start FLOAT NOT NULL, "end" FLOAT NOT NULL, text VARCHAR NOT NULL, words JSON,
    PRIMARY KEY (id), FOREIGN KEY(interview_id) REFERENCES interview (id));
CREATE INDEX ix_transcriptsegment_interview_id ON transcriptsegment (interview_id);
""",
}

OLD_ROWS = """
INSERT INTO interview (id, created_at, started_at, ended_at, status, title, job_role,
    candidate_token, spectator_token, settings)
VALUES ('old1', '2024-05-01 10:00:00.000000', '2024-05-01 10:01:00.000000',
    '2024-05-01 10:20:00.000000', 'completed', 'Legacy', 'Backend Engineer', 'ctok', 'stok',
    '{}');
INSERT INTO eventrecord (interview_id, seq, type, t, wall, data)
VALUES ('old1', 1, 'state', 0.0, 1714557660.0, '{"state": "ready"}');
INSERT INTO eventrecord (interview_id, seq, type, t, wall, data)
VALUES ('old1', 2, 'transcript.final', 1.5, 1714557661.5,
    '{"utterance": 0, "text": "hello there", "start": 0.2, "end": 1.4, "words": []}');
INSERT INTO transcriptsegment (interview_id, utterance, start, "end", text, words)
VALUES ('old1', 0, 0.2, 1.4, 'hello there', '[]');
"""


def _run_sql(backend: str, url: str, script: str) -> None:
    statements = [s for s in script.split(";") if s.strip()]
    if backend == "sqlite":
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            for s in statements:
                conn.execute(s)
        return
    with raw_postgres(url) as conn:
        for s in statements:
            conn.execute(s)


def _drift(engine) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, SQLModel.metadata)


@pytest.fixture
def fresh_url(request, tmp_path):
    with database_url(request.param, tmp_path) as url:
        yield request.param, url


@pytest.mark.parametrize("fresh_url", BACKENDS, indirect=True)
def test_a_new_database_gets_the_models_schema(fresh_url):
    _, url = fresh_url
    store = Store(url)
    try:
        assert current_revision(store.engine) == head_revision() == "0004"
        # the migrations and the models agree: a change of storage.py needs a new revision
        # (`alembic revision --autogenerate -m "..."`, then review it)
        assert _drift(store.engine) == []
        Store(url).engine.dispose()  # opening again is a no-op
        assert current_revision(store.engine) == "0004"
    finally:
        store.engine.dispose()


@pytest.mark.parametrize("fresh_url", BACKENDS, indirect=True)
def test_an_old_database_is_upgraded_with_its_data(fresh_url):
    backend, url = fresh_url
    _run_sql(backend, url, OLD_SCHEMA[backend])
    _run_sql(backend, url, OLD_ROWS)

    store = Store(url)
    try:
        assert current_revision(store.engine) == "0004"
        insp = inspect(store.engine)
        assert {"user", "job", "answerrecord", "alembic_version"} <= set(insp.get_table_names())
        columns = {c["name"] for c in insp.get_columns("interview")}
        assert {"created_by", "candidate_id", "recruiter_ids", "job_id", "difficulty",
                "question_type", "num_questions", "questions", "plan_source", "final_score",
                "knowledge_score", "confidence_score", "performance_level", "report"} <= columns
        assert _drift(store.engine) == []
        # the old rows are all there
        old = store.get_interview("old1")
        assert old.title == "Legacy" and old.status == "completed"
        assert old.candidate_token == "ctok" and old.spectator_token == "stok"
        assert old.created_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
        assert old.ended_at == datetime(2024, 5, 1, 10, 20, tzinfo=UTC)
        assert old.created_by is None and old.recruiter_ids == [] and old.questions == []
        assert old.difficulty == "intermediate" and old.question_type == "mixed"
        assert old.num_questions == 0 and old.plan_source == "" and old.final_score is None
        events = store.events("old1")
        assert [e.seq for e in events] == [1, 2] and events[1].data["text"] == "hello there"
        assert [s.text for s in store.transcript("old1")] == ["hello there"]
        assert store.last_seq("old1") == 2
        # and the new tables and columns work
        user = create_user(store, email="new@example.com", username="newbie",
                           password="new user 123", rounds=4)
        with Session(store.engine) as db:
            db.add(Job(title="Backend Engineer", skills=["Python"], created_by=user.id))
            db.add(AnswerRecord(interview_id="old1", index=0, answer="hello", score=70))
            db.commit()
            job = db.exec(select(Job)).one()
        new = store.create_interview(title="New", created_by=user.id, candidate_id=user.id,
                                     job_id=job.id, recruiter_ids=[user.id], num_questions=1,
                                     questions=[{"id": "q1", "text": "Why?"}])
        store.update_interview("old1", final_score=77.5, report={"summary": "ok"})
        with Session(store.engine) as db:
            assert db.get(Interview, new.id).recruiter_ids == [user.id]
            assert db.get(Interview, "old1").report == {"summary": "ok"}
            assert db.exec(select(User)).one().username == "newbie"
    finally:
        store.engine.dispose()
    # starting again changes nothing
    again = Store(url)
    try:
        assert current_revision(again.engine) == "0004"
        assert again.get_interview("old1").final_score == 77.5
    finally:
        again.engine.dispose()


@pytest.mark.parametrize("fresh_url", BACKENDS, indirect=True)
def test_an_unversioned_database_of_the_current_models_is_stamped_not_recreated(fresh_url):
    _, url = fresh_url
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)  # what the server did between the models and Alembic
    with Session(engine) as db:
        db.add(Interview(id="keep", title="made by create_all"))
        db.commit()
    upgrade(engine)
    try:
        assert current_revision(engine) == "0004"
        with Session(engine) as db:
            assert db.get(Interview, "keep").title == "made by create_all"
    finally:
        engine.dispose()


@pytest.mark.parametrize("fresh_url", BACKENDS, indirect=True)
def test_downgrade_to_the_old_schema_and_back(fresh_url):
    _, url = fresh_url
    store = Store(url)
    store.create_interview(id="kept", title="survives")
    downgrade(store.engine, "0001")
    try:
        assert current_revision(store.engine) == "0001"
        assert "user" not in inspect(store.engine).get_table_names()
        upgrade(store.engine)
        assert current_revision(store.engine) == "0004"
        assert store.get_interview("kept").title == "survives"
    finally:
        store.engine.dispose()


@pytest.mark.parametrize("fresh_url", BACKENDS, indirect=True)
def test_nodes_starting_together_migrate_once(fresh_url):
    _, url = fresh_url
    errors: list[BaseException] = []
    stores: list[Store] = []

    def start() -> None:
        try:
            stores.append(Store(url))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert not errors, errors
        assert len(stores) == 6
        assert current_revision(stores[0].engine) == "0004"
    finally:
        for s in stores:
            s.engine.dispose()


def test_migrations_run_from_any_directory_and_from_the_alembic_command(tmp_path):
    db = tmp_path / "elsewhere.db"
    code = ("import sys; from server.store.store import Store; "
            "from server.store.migrations import current_revision; "
            f"print(current_revision(Store({f'sqlite:///{db}'!r}).engine))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0004"
    other = tmp_path / "cli.db"
    alembic = Path(sys.executable).with_name("alembic")
    cmd = [str(alembic), "-c", str(ROOT / "alembic.ini"), "-x", f"url=sqlite:///{other}"]
    done = subprocess.run([*cmd, "upgrade", "head"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([*cmd, "current"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "0004 (head)" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("fresh_url", BACKENDS, indirect=True)
def test_the_database_refuses_a_username_that_differs_only_in_case(fresh_url):
    _, url = fresh_url
    store = Store(url)
    try:
        with Session(store.engine) as db:
            db.add(User(email="a@example.com", username="Alice", password_hash="x"))
            db.commit()
        with Session(store.engine) as db, pytest.raises(IntegrityError):
            db.add(User(email="b@example.com", username="aLICE", password_hash="x"))
            db.commit()  # bypassing the API's own check, as a racing sign-up would
    finally:
        store.engine.dispose()


@pytest.mark.parametrize("fresh_url", BACKENDS, indirect=True)
def test_an_upgrade_over_case_clashing_usernames_stops_and_names_them(fresh_url):
    _, url = fresh_url
    store = Store(url)
    downgrade(store.engine, "0002")
    try:
        with Session(store.engine) as db:
            db.add(User(email="a@example.com", username="Alice", password_hash="x"))
            db.add(User(email="b@example.com", username="alice", password_hash="x"))
            db.commit()
        with pytest.raises(RuntimeError, match="renamed before this upgrade: alice"):
            upgrade(store.engine)
        assert current_revision(store.engine) == "0002"
        with Session(store.engine) as db:
            db.delete(db.exec(select(User).where(User.username == "alice")).one())
            db.commit()
        upgrade(store.engine)
        assert current_revision(store.engine) == "0004"
    finally:
        store.engine.dispose()
