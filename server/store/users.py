"""Queries of user accounts."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from server.store.models import User
from server.store.store import Store


class DuplicateUser(Exception):
    """The email or username is taken (a concurrent registration won the race)."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_conflicts(store: Store, email: str, username: str) -> dict[str, str]:
    """Which of `email` and `username` (any case) are already registered."""
    with Session(store.engine) as db:
        fields = {}
        if db.exec(select(User.id).where(User.email == normalize_email(email))).first():
            fields["email"] = "already registered"
        if db.exec(
            select(User.id).where(func.lower(User.username) == username.lower())
        ).first():
            fields["username"] = "already taken"
        return fields


def insert_user(store: Store, user: User) -> User:
    """Insert a new account; DuplicateUser when its email or username is taken."""
    with Session(store.engine, expire_on_commit=False) as db:
        db.add(user)
        try:
            db.commit()
        except IntegrityError as exc:
            db.rollback()
            raise DuplicateUser from exc
        db.refresh(user)
        return user


def get_user(store: Store, user_id: int) -> User | None:
    with Session(store.engine, expire_on_commit=False) as db:
        return db.get(User, user_id)


def find_login(store: Store, login: str) -> User | None:
    """The account whose email or username (any case) is `login`."""
    login = login.strip()
    with Session(store.engine, expire_on_commit=False) as db:
        column = User.email if "@" in login else func.lower(User.username)
        return db.exec(select(User).where(column == login.lower())).first()


def find_users(store: Store, ids: list[int], email: str | None) -> dict[object, User]:
    """Users by id, and the user of `email` (keyed by that email string)."""
    with Session(store.engine, expire_on_commit=False) as db:
        found: dict[object, User] = {}
        if ids:
            for u in db.exec(select(User).where(User.id.in_(ids))).all():  # type: ignore
                found[u.id] = u
        if email:
            u = db.exec(select(User).where(User.email == normalize_email(email))).first()
            if u is not None:
                found[email] = u
        return found
