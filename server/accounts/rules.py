"""The rules of accounts: roles, usernames, emails, passwords, and a registration's fields."""

from __future__ import annotations

import re
from typing import Any

from server.errors import ApiError, validation_error
from server.store.users import normalize_email

ROLES = ("candidate", "recruiter", "admin")
SELF_SERVICE_ROLES = ("candidate", "recruiter")
JWT_ALGORITHM = "HS256"
JWT_ISSUER = "interview-stream"
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 128
MAX_EMAIL = 254
MAX_FULL_NAME = 100


def check_username(username: Any) -> str | None:
    """The problem with a username, or None."""
    if not isinstance(username, str) or not username:
        return "required"
    if not USERNAME_RE.match(username):
        return "3 to 32 characters: letters, digits, '_', '.' or '-'"
    return None


def check_email(email: Any) -> str | None:
    if not isinstance(email, str) or not email.strip():
        return "required"
    email = normalize_email(email)
    if len(email) > MAX_EMAIL or not EMAIL_RE.match(email):
        return "not a valid email address"
    return None


def check_password(password: Any, username: str = "", email: str = "") -> str | None:
    if not isinstance(password, str) or not password:
        return "required"
    if len(password) < MIN_PASSWORD:
        return f"at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"at most {MAX_PASSWORD} characters"
    if not re.search(r"[^\W\d_]", password) or not re.search(r"\d", password):
        return "needs at least one letter and one digit"
    lowered = password.strip().lower()
    if lowered and lowered in {username.strip().lower(), normalize_email(email),
                               normalize_email(email).split("@")[0]}:
        return "must not be your username or email"
    return None


def validate_registration(data: dict[str, Any], roles: tuple[str, ...] = SELF_SERVICE_ROLES
                          ) -> dict[str, Any]:
    """Clean fields of a new account; raises ApiError 422 (or 403 for a forbidden role)."""
    fields: dict[str, str] = {}
    username, email = data.get("username"), data.get("email")
    full_name = data.get("full_name", "")
    role = data.get("role", "candidate")
    if problem := check_username(username):
        fields["username"] = problem
    if problem := check_email(email):
        fields["email"] = problem
    if problem := check_password(
        data.get("password"),
        username if isinstance(username, str) else "",
        email if isinstance(email, str) else "",
    ):
        fields["password"] = problem
    if full_name is None:
        full_name = ""
    if not isinstance(full_name, str):
        fields["full_name"] = "must be a string"
    elif len(full_name.strip()) > MAX_FULL_NAME:
        fields["full_name"] = f"at most {MAX_FULL_NAME} characters"
    if role == "admin" and "admin" not in roles:
        raise ApiError(403, "forbidden",
                       "admin accounts are created by an administrator (interview-admin)")
    if role not in roles:
        fields["role"] = f"must be one of {', '.join(roles)}"
    if fields:
        raise validation_error(fields)
    return {
        "username": username, "email": normalize_email(email),
        "password": data["password"], "full_name": " ".join(full_name.split()), "role": role,
    }
