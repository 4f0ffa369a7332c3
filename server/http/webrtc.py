"""`POST /api/interviews/{id}/webrtc`: the candidate's WebRTC offer in, aiortc's answer out.

Non-trickle ICE: the browser waits for its ICE gathering before posting, and the answer carries
every server candidate. Media then feeds the session opened by the candidate WebSocket, which
still carries the events and the `stop` control message.

With several nodes (Redis), an offer that reaches a node other than the one running the session
is forwarded to that node (its `NODE_URL`); the answer then carries that node's ICE candidates,
so the media goes straight to it.
"""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from media.webrtc import PeerLimitError, PeerRegistry
from server.accounts.access import is_candidate_token, is_spectator_token, user_can_watch
from server.errors import ApiError, error
from server.live.manager import SessionManager
from server.live.session import LiveSession
from server.store.models import Interview

log = logging.getLogger(__name__)

MAX_SDP_CHARS = 100_000
FORWARDED_HEADER = "x-interview-forwarded-by"  # set on a forwarded offer: one hop at most
FORWARD_TIMEOUT_S = 30.0  # the owner gathers ICE candidates before it answers


async def forward_to_owner(request: Request, body: bytes) -> Response | None:
    """The answer of the node that runs this interview's session, when that is another live
    node; None when no other node runs it (or the request was forwarded already)."""
    if request.headers.get(FORWARDED_HEADER):
        return None
    manager: SessionManager = request.app.state.sessions
    owner = await manager.ownership.owner_elsewhere(request.path_params["interview_id"])
    if owner is None:
        return None
    node, url = owner
    if not url:
        return error(409, "wrong_node", f"the session runs on node {node}, which has no "
                     "NODE_URL: route this interview's requests to that node")
    headers = {FORWARDED_HEADER: request.app.state.settings.node_id,
               "content-type": "application/json"}
    if auth := request.headers.get("authorization"):
        headers["authorization"] = auth
    try:
        async with httpx.AsyncClient(timeout=FORWARD_TIMEOUT_S) as client:
            r = await client.post(url.rstrip("/") + request.url.path,
                                  params=request.query_params, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return error(502, "owner_unreachable", f"node {node} running the session did not "
                     f"answer: {exc.__class__.__name__}")
    log.info("forwarded %s to node %s: %d", request.url.path, node, r.status_code)
    return Response(r.content, status_code=r.status_code, media_type="application/json")


async def _interview(manager: SessionManager, interview_id: str) -> Interview:
    """The interview of an offer; ApiError 404 when there is none."""
    interview = await asyncio.to_thread(manager.store.get_interview, interview_id)
    if interview is None:
        raise ApiError(404, "not_found", "unknown interview")
    return interview


def _parse_offer(body: bytes) -> tuple[str, str] | JSONResponse:
    try:
        data = json.loads(body) if body else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        return error(422, "bad_offer", 'body must be a JSON object {"sdp", "type": "offer"}')
    sdp, type_ = data.get("sdp"), data.get("type")
    if not isinstance(sdp, str) or not sdp.strip() or len(sdp) > MAX_SDP_CHARS:
        return error(422, "bad_offer", "sdp must be a non-empty SDP string")
    if type_ != "offer":
        return error(422, "bad_offer", 'type must be "offer"')
    return sdp, type_


async def webrtc_offer(request: Request) -> JSONResponse:
    """Create (or replace) the session's peer from the browser's offer; return the answer."""
    manager: SessionManager = request.app.state.sessions
    interview_id = request.path_params["interview_id"]
    interview = await _interview(manager, interview_id)
    if not is_candidate_token(request.query_params.get("token"), interview):
        return error(403, "forbidden", "invalid token")
    body = await request.body()
    offer = _parse_offer(body)
    if isinstance(offer, JSONResponse):
        return offer
    sdp, type_ = offer
    session = manager.live.get(interview_id)

    def is_live(s: LiveSession | None = session) -> bool:
        return s is not None and s.candidate_connected and manager.live.get(interview_id) is s

    if not is_live():
        if (forwarded := await forward_to_owner(request, body)) is not None:
            return forwarded
        return error(409, "no_session", "open the candidate WebSocket first")
    if session.stopped:
        return error(409, "stopped", "the stream was stopped")
    if manager.scheduler.overloaded and not session.speech.started:
        return error(503, "overloaded", "the transcription backlog is full; try again shortly")
    peers: PeerRegistry = request.app.state.peers
    try:
        peer, old = peers.create(interview_id, session, is_live)
    except PeerLimitError as exc:
        return error(503, "too_many_peers", str(exc))
    if old is not None:
        await old.close()
    try:
        answer = await peer.accept(sdp, type_)
    except Exception as exc:  # noqa: BLE001 - a bad offer is the client's problem
        await peer.close()
        log.info("WebRTC offer of %s refused: %s", interview_id, exc)
        return error(422, "bad_sdp", f"the offer could not be applied: {exc}")
    if not is_live() or peers.get(interview_id) is not peer:
        await peer.close()  # the socket went, or a newer offer won, while ICE was gathering
        return error(409, "superseded", "the session or its peer changed during negotiation")
    return JSONResponse({"sdp": answer.sdp, "type": answer.type})


async def spectator_video_offer(request: Request) -> JSONResponse:
    """`POST /api/interviews/{id}/spectate/webrtc?token=SPECTATOR_TOKEN`: a spectator's offer
    (receive-only video) in, an answer relaying the candidate's camera out. Served by the node
    that holds the candidate's WebRTC peer (forwarded there from other nodes); at most
    `SPECTATOR_VIDEO_MAX` viewers a session, since every viewer costs one video encode."""
    manager: SessionManager = request.app.state.sessions
    interview_id = request.path_params["interview_id"]
    interview = await _interview(manager, interview_id)
    token = request.query_params.get("token", "")
    spectator = is_spectator_token(token, interview)
    if not spectator and (token or not await user_can_watch(request, interview)):
        return error(403, "forbidden", "a spectator token or a recruiter of the interview")
    body = await request.body()
    offer = _parse_offer(body)
    if isinstance(offer, JSONResponse):
        return offer
    peer = request.app.state.peers.get(interview_id)
    if peer is None:
        if (forwarded := await forward_to_owner(request, body)) is not None:
            return forwarded
        return error(409, "no_video", "the candidate is not sending video over WebRTC here")
    limit = request.app.state.settings.spectator_video_max
    try:
        answer = await peer.add_viewer(*offer, limit=limit)
    except LookupError as exc:
        return error(409, "no_video", str(exc))
    except PeerLimitError as exc:
        return error(503, "too_many_viewers", str(exc))
    except Exception as exc:  # noqa: BLE001 - a bad offer is the client's problem
        return error(422, "bad_sdp", f"the offer could not be applied: {exc}")
    return JSONResponse({"sdp": answer.sdp, "type": answer.type})
