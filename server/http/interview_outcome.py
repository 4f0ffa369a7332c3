"""What became of an interview, as the dashboard lists it (`outcome`), and the list's summary.

The stored `status` says how a session ended (`completed` also when the candidate pressed Stop
after one of two questions); `outcome` says what the recruiter got:

* `live`: a session runs now: on this node (`SessionManager.live`, including its resume grace
  while the candidate reconnects) or on another one (its `owner:{id}` key in Redis), or it is
  an orphan (stored live, run by no node) whose last event is younger than `RESUME_GRACE_S`:
  its candidate may still resume it;
* `pending`: never started;
* `completed`: ended with every planned question answered (a free practice without questions:
  ended);
* `incomplete`: ended (Stop, or the last question's end) with planned questions unanswered;
* `abandoned`: started, then the candidate left and did not come back: the server finished it
  (`abandoned`, or `interrupted` by a restart), or an orphan with no event for
  `RESUME_GRACE_S`.

The summary counts the same JSON rows the list returns, so its figures always match them.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from server.store.models import Interview, User
from server.store.store import Store
from server.store.users import find_users

OUTCOMES = ("completed", "incomplete", "abandoned", "live", "pending")


def questions_planned(interview: Interview) -> int:
    return max(len(interview.questions or []), interview.num_questions or 0)


def questions_answered(interview: Interview) -> int:
    report = interview.report or {}
    answered = report.get("questions_answered")
    return int(answered) if isinstance(answered, int) else 0


def outcome(interview: Interview, running: bool) -> str:
    """The interview's outcome; `running`: a session of it runs (or may resume) now."""
    if running:
        return "live"
    if interview.status in ("abandoned", "interrupted") or (
        interview.status == "live"  # an orphan past its grace (`running` tells the young one)
    ):
        return "abandoned"
    if interview.status == "completed":
        done = questions_answered(interview) >= questions_planned(interview)
        return "completed" if done else "incomplete"
    return "pending" if interview.started_at is None else "abandoned"


async def running_ids(app_state: Any, rows: list[Interview]) -> set[str]:
    """The ids of `rows` whose session runs now, or may still resume (see the module)."""
    manager = app_state.sessions
    grace = float(getattr(manager, "resume_grace_s", 60.0))
    store: Store = app_state.store
    out: set[str] = set()
    for row in rows:
        if row.id in manager.live:
            out.add(row.id)
        elif row.status == "live":
            if await manager.ownership.owner_elsewhere(row.id) is not None:
                out.add(row.id)
                continue
            last = await asyncio.to_thread(store.last_event, row.id)
            if last is not None and time.time() - last.wall < grace:
                out.add(row.id)
    return out


def candidates_of(store: Store, rows: list[Interview]) -> dict[int, User]:
    ids = sorted({r.candidate_id for r in rows if r.candidate_id is not None})
    found = find_users(store, ids, None)
    return {k: v for k, v in found.items() if isinstance(k, int)}


def candidate_json(interview: Interview, users: dict[int, User]) -> dict[str, Any] | None:
    """The candidate as stored: their account (name, email), or a name/email in settings."""
    user = users.get(interview.candidate_id) if interview.candidate_id is not None else None
    if user is not None:
        return {"id": user.id, "email": user.email, "name": user.full_name or user.username}
    settings = interview.settings or {}
    name, email = settings.get("candidate_name") or "", settings.get("candidate_email") or ""
    if name or email:
        return {"id": None, "email": email, "name": name or email}
    return None


def summary(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts by outcome, the average and best score, and the candidates of `items`."""
    counts = {name: 0 for name in OUTCOMES}
    for item in items:
        counts[item["outcome"]] = counts.get(item["outcome"], 0) + 1
    scores = [i["final_score"] for i in items if isinstance(i.get("final_score"), int | float)]
    people: dict[int, dict[str, Any]] = {}
    for item in items:
        who = item.get("candidate")
        if who and who.get("id") is not None:
            entry = people.setdefault(who["id"], {**who, "interviews": 0})
            entry["interviews"] += 1
    return {
        "total": len(items), **counts,
        "average_score": round(sum(scores) / len(scores), 1) if scores else None,
        "best_score": max(scores) if scores else None,
        "candidates": sorted(people.values(), key=lambda c: (c["name"] or c["email"]).lower()),
    }
