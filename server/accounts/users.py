"""Accounts as the API sees them: registering, authenticating, the public view of a user."""

from __future__ import annotations

import asyncio
from typing import Any

from server.accounts.passwords import PasswordHasher, hash_password
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


def _check_free(store: Store, email: str, username: str) -> None:
    if conflicts := find_conflicts(store, email, username):
        raise ApiError(409, "conflict", "; ".join(f"{k} {v}" for k, v in conflicts.items()),
                       fields=conflicts)


def _insert(store: Store, *, email: str, username: str, password_hash: str, full_name: str,
            role: str) -> User:
    user = User(email=normalize_email(email), username=username, full_name=full_name,
                password_hash=password_hash, role=role)
    try:
        return insert_user(store, user)
    except DuplicateUser as exc:  # a concurrent registration won the race
        raise ApiError(409, "conflict", "email or username already registered") from exc


def create_user(store: Store, *, email: str, username: str, password: str, full_name: str = "",
                role: str = "candidate", rounds: int = 12) -> User:
    """Insert a validated account; raises ApiError 409 when the email or username is taken.
    Synchronous (the admin command); the API uses `register_user`."""
    _check_free(store, email, username)
    return _insert(store, email=email, username=username, full_name=full_name, role=role,
                   password_hash=hash_password(password, rounds))


async def register_user(store: Store, hasher: PasswordHasher, *, email: str, username: str,
                        password: str, full_name: str = "", role: str = "candidate") -> User:
    """`create_user` for the event loop: the queries in the default thread pool, bcrypt in
    `hasher`'s own pool."""
    await asyncio.to_thread(_check_free, store, email, username)
    password_hash = await hasher.hash(password)
    return await asyncio.to_thread(_insert, store, email=email, username=username,
                                   full_name=full_name, role=role, password_hash=password_hash)


async def login_user(store: Store, hasher: PasswordHasher, login: str,
                     password: str) -> User | None:
    """The account of `login` (email or username) if `password` is its password: the lookup in
    the default thread pool, bcrypt in `hasher`'s own pool (an unknown account is checked
    against a dummy hash, as slow as a wrong password)."""
    user = await asyncio.to_thread(find_login, store, login)
    ok = await hasher.verify(password, user.password_hash if user is not None else None)
    return user if ok and user is not None else None


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id, "email": user.email, "username": user.username,
        "full_name": user.full_name, "role": user.role, "is_active": user.is_active,
        "created_at": user.created_at.isoformat() if user.created_at else None,
    }
