"""Accounts as the API sees them: registering, authenticating, the public view of a user."""

from __future__ import annotations

from typing import Any

from server.accounts.passwords import dummy_hash, hash_password, verify_password
from server.errors import ApiError
from server.store.models import User
from server.store.store import Store
from server.store.users import (
    DuplicateUser,
    find_conflicts,
    find_login,
    insert_user,
    normalize_email,
)


def create_user(store: Store, *, email: str, username: str, password: str, full_name: str = "",
                role: str = "candidate", rounds: int = 12) -> User:
    """Insert a validated account; raises ApiError 409 when the email or username is taken."""
    if conflicts := find_conflicts(store, email, username):
        raise ApiError(409, "conflict", "; ".join(f"{k} {v}" for k, v in conflicts.items()),
                       fields=conflicts)
    user = User(email=normalize_email(email), username=username, full_name=full_name,
                password_hash=hash_password(password, rounds), role=role)
    try:
        return insert_user(store, user)
    except DuplicateUser as exc:  # a concurrent registration won the race
        raise ApiError(409, "conflict", "email or username already registered") from exc


def authenticate(store: Store, login: str, password: str, rounds: int = 12) -> User | None:
    """The account of `login` (email or username) if `password` is its password."""
    user = find_login(store, login)
    if user is None:
        verify_password(password, dummy_hash(rounds))  # as slow as a wrong password
        return None
    return user if verify_password(password, user.password_hash) else None


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id, "email": user.email, "username": user.username,
        "full_name": user.full_name, "role": user.role, "is_active": user.is_active,
        "created_at": user.created_at.isoformat() if user.created_at else None,
    }
