"""Login and registration limits on a real server with the default limits: failed logins per
account name, attempts per address, registrations per address and per account, 429 with
`Retry-After` and exponential back-off."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.support.db import PASSWORD, register, serve_backend
from tests.support.limits import default_limits, from_address, new_address


@pytest.fixture(scope="module")
def srv(tmp_path_factory, transcriber):
    with serve_backend("sqlite", tmp_path_factory.mktemp("limits"), transcriber,
                       **default_limits()) as server:
        yield server


def login(srv, name: str, password: str, address: str) -> httpx.Response:
    return httpx.post(f"{srv.url}/api/auth/login", json={"username": name, "password": password},
                      headers=from_address(address), timeout=30)


def assert_limited(r: httpx.Response) -> int:
    """The 429 of the API (error body, Retry-After in seconds); returns Retry-After."""
    assert r.status_code == 429, r.text
    err = r.json()["error"]
    assert err["code"] == "rate_limited" and err["message"]
    retry = int(r.headers["Retry-After"])
    assert retry >= 1
    return retry


def test_the_defaults():
    assert default_limits().items() >= {
        "login_rate_per_ip": "30/minute", "login_failures_per_account": "10/minute",
        "register_rate_per_ip": "20/hour", "register_rate_per_account": "5/hour",
    }.items()


def test_the_11th_failed_login_within_a_minute_is_429_whatever_the_address(srv):
    account = register(srv)
    name = account["user"]["username"]
    for _ in range(10):  # ten failures a minute are allowed, from ten addresses
        r = login(srv, name, "wrong password", new_address())
        assert r.status_code == 401, r.text
    r = login(srv, name, "wrong password", new_address())
    assert assert_limited(r) <= 60
    assert "failed logins" in r.json()["error"]["message"]
    # the account is locked, even for its right password (and from yet another address)...
    assert_limited(login(srv, name, PASSWORD, new_address()))
    # ...by its name, whatever its case; other accounts log in as usual from that address
    assert_limited(login(srv, name.upper(), PASSWORD, new_address()))
    address = new_address()
    other = register(srv)
    assert login(srv, other["user"]["username"], PASSWORD, address).status_code == 200


def test_a_client_that_keeps_trying_while_limited_waits_longer_each_time(srv):
    name = f"nobody_{uuid.uuid4().hex[:8]}"  # unknown accounts are limited the same way
    address = new_address()
    for _ in range(10):
        assert login(srv, name, "guess", address).status_code == 401
    waits = [assert_limited(login(srv, name, "guess", address)) for _ in range(7)]
    assert waits[0] <= 60
    for before, after in zip(waits, waits[1:], strict=False):
        assert after > before or after == 900, waits
    assert waits[-1] == 900, f"the back-off is capped at RATE_LIMIT_MAX_BACKOFF_S: {waits}"


def test_login_attempts_per_address(srv):
    """30 attempts a minute from one address, whatever the accounts (password spraying)."""
    address = new_address()
    for i in range(30):
        r = login(srv, f"sprayed_{i}_{uuid.uuid4().hex[:6]}", "Summer2024!", address)
        assert r.status_code == 401, (i, r.text)
    err = assert_limited(login(srv, f"sprayed_{uuid.uuid4().hex[:6]}", "x", address))
    assert err <= 60
    # another address is not affected
    assert login(srv, "sprayed_0", "x", new_address()).status_code == 401


def test_registrations_per_address(srv):
    address = new_address()
    for _ in range(20):
        name = f"reg_{uuid.uuid4().hex[:10]}"
        r = httpx.post(f"{srv.url}/api/auth/register", headers=from_address(address), timeout=30,
                       json={"username": name, "email": f"{name}@example.com",
                             "password": PASSWORD})
        assert r.status_code == 201, r.text
    name = f"reg_{uuid.uuid4().hex[:10]}"
    r = httpx.post(f"{srv.url}/api/auth/register", headers=from_address(address), timeout=30,
                   json={"username": name, "email": f"{name}@example.com", "password": PASSWORD})
    assert assert_limited(r) <= 3600
    assert "registrations" in r.json()["error"]["message"]


def test_registration_attempts_per_account(srv):
    """Probing whether an email is registered (409) is limited per email."""
    taken = register(srv)["user"]["email"]
    for _ in range(4):  # with the registration above: 5 an hour
        name = f"probe_{uuid.uuid4().hex[:8]}"
        r = httpx.post(f"{srv.url}/api/auth/register", headers=from_address(new_address()),
                       json={"username": name, "email": taken, "password": PASSWORD},
                       timeout=30)
        assert r.status_code == 409, r.text
    name = f"probe_{uuid.uuid4().hex[:8]}"
    r = httpx.post(f"{srv.url}/api/auth/register", headers=from_address(new_address()),
                   json={"username": name, "email": taken.upper(), "password": PASSWORD},
                   timeout=30)
    assert_limited(r)
