"""Accounts: registration rules, login, tokens (expired, forged, revoked), the admin command.

Every API test runs on both backends (`api_server`: SQLite, then PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import httpx
import jwt
import pytest
from sqlmodel import Session, select

from server.accounts.passwords import hash_password, verify_password
from server.accounts.rules import check_password
from server.store.models import User
from tests.support.db import JWT_SECRET, PASSWORD, make_admin, register


def post(srv, path: str, **kw) -> httpx.Response:
    return httpx.post(f"{srv.url}{path}", timeout=10, **kw)


def get(srv, path: str, **kw) -> httpx.Response:
    return httpx.get(f"{srv.url}{path}", timeout=10, **kw)


def new_body(**fields) -> dict:
    name = f"user_{uuid.uuid4().hex[:8]}"
    return {"email": f"{name}@example.com", "username": name, "password": PASSWORD,
            "full_name": "Ada Lovelace", **fields}


def assert_error(r: httpx.Response, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) >= {"code", "message"} and err["message"]
    if code:
        assert err["code"] == code, err
    return err


# --------------------------------------------------------------------------- register


def test_register_returns_user_and_token_and_hashes_the_password(api_server):
    body = new_body(email="  Ada.L@Example.COM ", role="recruiter")
    r = post(api_server, "/api/auth/register", json=body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["token_type"] == "bearer" and out["access_token"]
    user = out["user"]
    assert user["email"] == "ada.l@example.com"  # trimmed, lower-cased
    assert user["username"] == body["username"] and user["role"] == "recruiter"
    assert user["full_name"] == "Ada Lovelace"
    assert "password_hash" not in user and PASSWORD not in r.text
    with Session(api_server.store.engine) as db:
        row = db.exec(select(User).where(User.id == user["id"])).one()
    assert row.password_hash.startswith("$2b$") and PASSWORD not in row.password_hash
    # the token works at once
    me = get(api_server, "/api/auth/me",
             headers={"Authorization": f"Bearer {out['access_token']}"})
    assert me.status_code == 200 and me.json()["id"] == user["id"]


def test_default_role_is_candidate(api_server):
    r = post(api_server, "/api/auth/register", json=new_body())
    assert r.status_code == 201 and r.json()["user"]["role"] == "candidate"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"username": "ab"}, "username"),
        ({"username": "a" * 33}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"password": "short1"}, "password"),
        ({"password": "onlyletters"}, "password"),
        ({"password": "1234567890"}, "password"),
        ({"password": None}, "password"),
        ({"role": "superuser"}, "role"),
        ({"full_name": 42}, "full_name"),
    ],
)
def test_register_validation_is_422_with_fields(api_server, change, field):
    r = post(api_server, "/api/auth/register", json=new_body(**change))
    err = assert_error(r, 422, "validation")
    assert field in err["fields"], err


def test_password_must_not_be_the_username_or_email(api_server):
    body = new_body(username="grace1984")
    body["password"] = "Grace1984"
    err = assert_error(post(api_server, "/api/auth/register", json=body), 422, "validation")
    assert "password" in err["fields"]
    body = new_body(email="hopper77@example.com")
    body["password"] = "hopper77@example.com"
    err = assert_error(post(api_server, "/api/auth/register", json=body), 422, "validation")
    assert "password" in err["fields"]


def test_admin_cannot_self_register(api_server):
    assert_error(post(api_server, "/api/auth/register", json=new_body(role="admin")), 403,
                 "forbidden")


def test_bad_json_is_400(api_server):
    assert_error(post(api_server, "/api/auth/register", content=b"{nope"), 400, "bad_json")
    assert_error(post(api_server, "/api/auth/register", json=["a"]), 400, "bad_json")


def test_duplicate_email_or_username_is_409(api_server):
    first = register(api_server)["user"]
    body = new_body(email=first["email"].upper())
    err = assert_error(post(api_server, "/api/auth/register", json=body), 409, "conflict")
    assert "email" in err["fields"]
    body = new_body(username=first["username"].upper())
    err = assert_error(post(api_server, "/api/auth/register", json=body), 409, "conflict")
    assert "username" in err["fields"]


# --------------------------------------------------------------------------- login


def test_login_by_username_or_email_any_case_and_by_form(api_server):
    account = register(api_server)
    user = account["user"]
    for login in (user["username"], user["username"].upper(), user["email"].upper()):
        r = post(api_server, "/api/auth/login", json={"username": login, "password": PASSWORD})
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["token_type"] == "bearer" and out["user"]["id"] == user["id"]
    r = post(api_server, "/api/auth/login", json={"email": user["email"], "password": PASSWORD})
    assert r.status_code == 200
    r = post(api_server, "/api/auth/login",  # the OAuth2 password flow's form
             data={"username": user["username"], "password": PASSWORD})
    assert r.status_code == 200 and r.json()["access_token"]


def test_login_failures(api_server):
    user = register(api_server)["user"]
    err = assert_error(post(api_server, "/api/auth/login",
                            json={"username": user["username"], "password": "wrong pass 1"}),
                       401, "invalid_credentials")
    assert "password" in err["message"]
    assert_error(post(api_server, "/api/auth/login",
                      json={"username": "nobody_here", "password": PASSWORD}),
                 401, "invalid_credentials")
    err = assert_error(post(api_server, "/api/auth/login", json={}), 422, "validation")
    assert set(err["fields"]) == {"username", "password"}


def test_disabled_account_cannot_log_in_and_its_tokens_stop_working(api_server):
    account = register(api_server)
    with Session(api_server.store.engine) as db:
        row = db.get(User, account["user"]["id"])
        row.is_active = False
        db.add(row)
        db.commit()
    assert_error(post(api_server, "/api/auth/login",
                      json={"username": account["user"]["username"], "password": PASSWORD}),
                 403, "account_disabled")
    assert_error(get(api_server, "/api/auth/me", headers=account["headers"]), 401)


# --------------------------------------------------------------------------- tokens


def _token(user_id: int, secret: str = JWT_SECRET, **claims) -> str:
    now = int(time.time())
    payload = {"sub": str(user_id), "role": "candidate", "iat": now, "exp": now + 600,
               "iss": "interview-stream", **claims}
    return jwt.encode(payload, secret, algorithm="HS256")


def test_me_requires_a_valid_token(api_server):
    account = register(api_server)
    uid = account["user"]["id"]
    r = get(api_server, "/api/auth/me")
    assert_error(r, 401, "unauthorized")
    assert r.headers["www-authenticate"] == "Bearer"
    ok = get(api_server, "/api/auth/me", headers={"Authorization": f"Bearer {_token(uid)}"})
    assert ok.status_code == 200 and ok.json()["id"] == uid
    now = int(time.time())
    expired = _token(uid, iat=now - 7200, exp=now - 60)
    forged = _token(uid, secret="somebody else's secret, long enough to be plausible")
    unsigned = jwt.encode({"sub": str(uid), "iat": now, "exp": now + 600,
                           "iss": "interview-stream"}, key=None, algorithm="none")
    no_exp = jwt.encode({"sub": str(uid), "iat": now, "iss": "interview-stream"}, JWT_SECRET,
                        algorithm="HS256")
    cases = {
        expired: "token_expired", forged: "invalid_token", unsigned: "invalid_token",
        no_exp: "invalid_token", "garbage": "invalid_token",
        account["access_token"] + "x": "invalid_token",
        _token(10**9): "invalid_token",  # a user that does not exist
        _token(uid, iss="someone-else"): "invalid_token",
    }
    for token, code in cases.items():
        r = get(api_server, "/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert_error(r, 401, code)
        assert r.headers["www-authenticate"] == "Bearer"
    r = get(api_server, "/api/auth/me", headers={"Authorization": f"Basic {PASSWORD}"})
    assert_error(r, 401, "invalid_token")


def test_token_expires_after_the_configured_time(api_server):
    account = register(api_server)
    claims = jwt.decode(account["access_token"], JWT_SECRET, algorithms=["HS256"],
                        issuer="interview-stream")
    assert claims["sub"] == str(account["user"]["id"])
    assert claims["exp"] - claims["iat"] == 24 * 60 * 60  # JWT_EXPIRES_MIN default
    assert account["expires_in"] == 24 * 60 * 60


def test_a_bad_token_is_401_even_where_anonymous_is_allowed(api_server):
    r = post(api_server, "/api/interviews", json={},
             headers={"Authorization": "Bearer not-a-token"})
    assert_error(r, 401, "invalid_token")
    assert post(api_server, "/api/interviews", json={}).status_code == 201


# --------------------------------------------------------------------------- admin


def test_admin_command_creates_an_admin_who_can_log_in(api_server):
    name = f"boss_{uuid.uuid4().hex[:8]}"
    cmd = [sys.executable, "-m", "server.accounts.admin_cli",
           "--database-url", api_server.database_url,
           "create-admin", "--email", f"{name}@Example.com", "--username", name,
           "--password", "Boss password 1"]
    env = {**os.environ, "BCRYPT_ROUNDS": "4"}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert f"created admin {name}" in done.stdout
    r = post(api_server, "/api/auth/login",
             json={"username": f"{name}@example.com", "password": "Boss password 1"})
    assert r.status_code == 200, r.text
    assert r.json()["user"]["role"] == "admin"
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    assert again.returncode == 1 and "already" in again.stderr
    weak = cmd[:-1] + ["weak"]
    done = subprocess.run(weak, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2 and "password" in done.stderr


def test_admin_helper_matches_the_command(api_server):
    admin = make_admin(api_server)
    me = get(api_server, "/api/auth/me", headers=admin["headers"])
    assert me.status_code == 200 and me.json()["role"] == "admin"


# --------------------------------------------------------------------------- unit


def test_password_rules_and_hashing():
    assert check_password("abcdefg1") is None
    assert check_password("abcdef1") == "at least 8 characters"
    assert "letter" in check_password("12345678")
    assert "letter" in check_password("abcdefgh")
    assert check_password("x1" * 65) == "at most 128 characters"
    assert check_password("Alice2024", "alice2024") is not None
    # long passphrases: every character counts (bcrypt alone stops at 72 bytes)
    long_a, long_b = "a1" * 50, "a1" * 49 + "b2"
    hashed = hash_password(long_a, rounds=4)
    assert verify_password(long_a, hashed) and not verify_password(long_b, hashed)
    assert not verify_password("whatever1", "not a bcrypt hash")
