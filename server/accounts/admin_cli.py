"""`interview-admin`: administration from the command line.

    interview-admin create-admin --email a@example.com --username admin [--password P]
    interview-admin migrate

The database is DATABASE_URL (or --database-url). Without --password the password is read from
the ADMIN_PASSWORD environment variable, else prompted for (twice). Admin accounts cannot be
made through the API's registration.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from server.accounts.rules import check_email, check_password, check_username
from server.accounts.users import create_user
from server.config import Settings
from server.errors import ApiError
from server.store.users import normalize_email


def _password(args: argparse.Namespace) -> str:
    if args.password:
        return args.password
    if os.environ.get("ADMIN_PASSWORD"):
        return os.environ["ADMIN_PASSWORD"]
    if not sys.stdin.isatty():
        raise SystemExit("error: give --password, ADMIN_PASSWORD, or run in a terminal")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("error: the passwords differ")
    return first


def _store(args: argparse.Namespace):
    from server.store.store import Store

    url = args.database_url or Settings().database_url
    if url.startswith("sqlite:///") and ":memory:" not in url and url != "sqlite:///":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return Store(url)  # creates or upgrades the schema


def create_admin(args: argparse.Namespace) -> int:
    password = _password(args)
    problems = {
        "email": check_email(args.email),
        "username": check_username(args.username),
        "password": check_password(password, args.username, args.email),
    }
    problems = {k: v for k, v in problems.items() if v}
    if problems:
        for k, v in problems.items():
            print(f"error: {k}: {v}", file=sys.stderr)
        return 2
    store = _store(args)
    try:
        user = create_user(store, email=normalize_email(args.email), username=args.username,
                           password=password, full_name=" ".join(args.full_name.split()),
                           role="admin", rounds=Settings().bcrypt_rounds)
    except ApiError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    finally:
        store.engine.dispose()
    print(f"created admin {user.username} <{user.email}> (id {user.id})")
    return 0


def migrate(args: argparse.Namespace) -> int:
    from server.store.migrations import current_revision

    store = _store(args)
    print(f"database schema at revision {current_revision(store.engine)}")
    store.engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="interview-admin", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="",
                        help="SQLAlchemy URL (default: DATABASE_URL or the server's default)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("create-admin", help="create an admin account")
    p.add_argument("--email", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--password", default="",
                   help="default: ADMIN_PASSWORD, else prompted (avoid shell history)")
    p.add_argument("--full-name", default="")
    p.set_defaults(func=create_admin)
    p = sub.add_parser("migrate", help="create or upgrade the database schema, then exit")
    p.set_defaults(func=migrate)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
