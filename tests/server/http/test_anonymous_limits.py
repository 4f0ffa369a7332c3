"""Interviews created without an account are limited per address (ANON_INTERVIEWS_PER_IP) and
on the whole server (ANON_INTERVIEWS_TOTAL): 429 with a reason and Retry-After."""

from __future__ import annotations

import httpx
import pytest

from tests.support.db import register, serve_backend
from tests.support.limits import default_limits, from_address, new_address


def create(srv, address: str, headers: dict | None = None) -> httpx.Response:
    return httpx.post(f"{srv.url}/api/interviews", json={}, timeout=30,
                      headers={**from_address(address), **(headers or {})})


def assert_limited(r: httpx.Response, reason: str) -> None:
    assert r.status_code == 429, r.text
    err = r.json()["error"]
    assert err["code"] == "rate_limited" and reason in err["message"], err
    assert int(r.headers["Retry-After"]) >= 1


@pytest.fixture(scope="module")
def srv(tmp_path_factory, transcriber):
    with serve_backend("sqlite", tmp_path_factory.mktemp("anon"), transcriber,
                       **default_limits()) as server:
        yield server


def test_the_defaults():
    limits = default_limits()
    assert limits["anon_interviews_per_ip"] == "20/hour"
    assert limits["anon_interviews_total"] == "500/hour"


def test_anonymous_interviews_per_address(srv):
    address = new_address()
    for _ in range(20):
        r = create(srv, address)
        assert r.status_code == 201, r.text
    r = create(srv, address)
    assert_limited(r, "from this address")
    assert int(r.headers["Retry-After"]) <= 3600
    # another address may still; a signed-in user from the same address is not limited
    assert create(srv, new_address()).status_code == 201
    account = register(srv, role="recruiter")
    assert create(srv, address, account["headers"]).status_code == 201


def test_anonymous_interviews_on_the_whole_server(tmp_path_factory, transcriber):
    limits = {**default_limits(), "anon_interviews_total": "5/hour"}
    with serve_backend("sqlite", tmp_path_factory.mktemp("anon-all"), transcriber,
                       **limits) as server:
        for _ in range(5):
            assert create(server, new_address()).status_code == 201
        assert_limited(create(server, new_address()), "on this server")
