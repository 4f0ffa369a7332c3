"""Password hashing with bcrypt (long passphrases pre-hashed so every character counts)."""

from __future__ import annotations

import base64
import functools
import hashlib
import secrets

import bcrypt


def _prehash(password: str) -> bytes:
    # bcrypt reads at most 72 bytes (bcrypt>=5 refuses more): hash long passphrases first so
    # every character counts. base64 keeps NUL bytes out of bcrypt's input.
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def hash_password(password: str, rounds: int = 12) -> str:
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(_prehash(password), password_hash.encode("ascii"))
    except ValueError:  # not a bcrypt hash
        return False


@functools.cache
def dummy_hash(rounds: int) -> str:
    """A hash to check a password against when the account does not exist (same cost)."""
    return hash_password(secrets.token_urlsafe(16), rounds)
