"""WebRTC media in: one aiortc peer per live session, feeding the same pipelines as the socket.

The candidate's browser sends its microphone and camera as tracks; events still go back over
the candidate WebSocket. Every accepted track is drained continuously (aiortc decodes into an
unbounded queue); audio is converted to mono int16 on the event loop (microseconds per 20-ms
frame) and video frames are handed to the vision pipeline, which samples them and converts the
chosen ones in its worker pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import av
import numpy as np
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError
from aiortc.sdp import SessionDescription
from av.video.reformatter import VideoReformatter

from media.pcm import MAX_RATE, MIN_RATE

if TYPE_CHECKING:
    from server.sessions import LiveSession

log = logging.getLogger(__name__)

#: most peers this process holds at once; more offers are refused (HTTP 503)
MAX_PEERS = 64
#: the live peers, by interview id (one per session)
PEERS: dict[str, CandidatePeer] = {}
#: how often a peer checks that its session is still live
WATCH_INTERVAL_S = 1.0


def frame_to_rgb(frame: av.VideoFrame) -> np.ndarray:
    """The frame as RGB, through a scaler of its own.

    `frame.to_ndarray(format=...)` uses a scaler cached on the frame, and two threads
    converting the same frame with it (e.g. the vision worker and a frame listener) deadlock
    or crash the process; a fresh `VideoReformatter` per call is safe and costs little at the
    sampled rate.
    """
    return VideoReformatter().reformat(frame, format="rgb24").to_ndarray()


class PeerLimitError(RuntimeError):
    """The process already holds `MAX_PEERS` peers."""


def ice_servers_from_env() -> list[RTCIceServer]:
    """ICE servers from `WEBRTC_ICE_SERVERS` (comma-separated `stun:`/`turn:` URLs).

    Empty by default: aiortc's default is a public STUN server, which only slows ICE gathering
    down on a host that cannot reach it; a server with a public address needs none.
    """
    urls = [u.strip() for u in os.environ.get("WEBRTC_ICE_SERVERS", "").split(",") if u.strip()]
    return [RTCIceServer(urls=url) for url in urls]


class CandidatePeer:
    """Owns the `RTCPeerConnection` of one session and the tasks draining its tracks."""

    def __init__(
        self,
        key: str,
        session: LiveSession,
        is_live: Callable[[], bool] | None = None,
        ice_servers: list[RTCIceServer] | None = None,
    ) -> None:
        self.key = key
        self.session = session
        self.is_live = is_live or (lambda: True)
        servers = ice_servers_from_env() if ice_servers is None else ice_servers
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=servers))
        self.closed = False
        #: False once the session's stop began: audio is then drained but no longer pushed
        self.audio_open = True
        self.audio_frames = 0
        self.video_frames = 0
        self.audio_rate: int | None = None
        self._resampler: av.AudioResampler | None = None
        self._tasks: set[asyncio.Task] = set()
        #: the camera track fans out through one relay: the pipeline and each spectator read
        #: their own unbuffered proxy (latest frame, no queue per reader)
        self.relay = MediaRelay()
        self.camera: MediaStreamTrack | None = None
        #: spectators' peers receiving the camera (each costs one encode: capped)
        self.viewers: set[RTCPeerConnection] = set()
        self._spawn(self._watch())
        self.pc.on("track", self._on_track)
        self.pc.on("connectionstatechange", self._on_connection_state)

    # -- signalling --------------------------------------------------------------------------
    async def accept(self, sdp: str, type_: str = "offer") -> RTCSessionDescription:
        """Apply the browser's offer; return the answer with every ICE candidate in it.

        Raises `ValueError` for an offer without audio or video (aiortc accepts any text).
        """
        if not any(m.kind in ("audio", "video") for m in SessionDescription.parse(sdp).media):
            raise ValueError("the offer has no audio or video media section")
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=type_))
        await self.pc.setLocalDescription(await self.pc.createAnswer())  # gathers ICE
        return self.pc.localDescription

    # -- tracks ---------------------------------------------------------------------------------
    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "video" and self.camera is None:
            self.camera = track
            track = self.relay.subscribe(track, buffered=False)
        consume = {"audio": self._consume_audio, "video": self._consume_video}
        self._spawn(consume.get(track.kind, self._drain)(track))

    # -- spectators' video -------------------------------------------------------------------
    async def add_viewer(self, sdp: str, type_: str = "offer",
                         limit: int = 4) -> RTCSessionDescription:
        """Answer a spectator's offer with the candidate's camera, relayed (not re-captured).

        Raises `LookupError` without a camera track, `PeerLimitError` beyond `limit` viewers."""
        if self.camera is None or self.closed:
            raise LookupError("the candidate sends no camera over WebRTC")
        if len(self.viewers) >= limit:
            raise PeerLimitError(f"at most {limit} spectators may watch the video")
        pc = RTCPeerConnection(RTCConfiguration(iceServers=ice_servers_from_env()))
        self.viewers.add(pc)

        @pc.on("connectionstatechange")
        async def _state() -> None:
            if pc.connectionState in ("failed", "closed"):
                self.viewers.discard(pc)
                await pc.close()

        try:
            pc.addTrack(self.relay.subscribe(self.camera, buffered=False))
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=type_))
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception:
            self.viewers.discard(pc)
            await pc.close()
            raise
        return pc.localDescription

    async def _drain(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()

    async def _consume_audio(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                self.audio_frames += 1
                if self._usable():
                    self._on_audio(frame)
        except MediaStreamError:
            pass
        except Exception:  # noqa: BLE001 - the peer goes, the session stays
            log.exception("audio track of %s failed", self.key)
            await self.close()

    def _on_audio(self, frame: av.AudioFrame) -> None:
        speech = self.session.speech
        if not speech.started:
            rate = frame.sample_rate
            if not MIN_RATE <= rate <= MAX_RATE:
                self.session.error("bad_audio", f"unsupported WebRTC audio rate {rate}")
                return
            speech.start(rate)
            self.session.emit("state", state="listening")
        pcm = self._to_mono_s16(frame, speech.resampler.rate)
        if not pcm:
            return
        try:
            speech.push_pcm(pcm)
        except RuntimeError:  # soxr: "input after last input" - the stop flush has begun
            self.audio_open = False

    def _to_mono_s16(self, frame: av.AudioFrame, rate: int) -> bytes:
        """The frame as mono int16 at `rate` (the speech pipeline's rate, normally its own)."""
        if self._resampler is None or self.audio_rate != rate:
            self._resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
            self.audio_rate = rate
        return b"".join(out.to_ndarray().tobytes() for out in self._resampler.resample(frame))

    async def _consume_video(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                self.video_frames += 1
                if self.is_live():
                    # the pipeline samples and drops; the conversion runs in its worker pool
                    self.session.video.submit_frame(lambda f=frame: frame_to_rgb(f))
        except MediaStreamError:
            pass
        except Exception:  # noqa: BLE001 - the peer goes, the session stays
            log.exception("video track of %s failed", self.key)
            await self.close()

    def _usable(self) -> bool:
        """Whether audio may still go into the session (live and not stopped)."""
        return self.audio_open and self.is_live() and not self.session.stopped

    # -- lifecycle ------------------------------------------------------------------------------
    async def _watch(self) -> None:
        """Close the peer once its session is gone, even if nobody calls `close_peer`."""
        while not self.closed:
            await asyncio.sleep(WATCH_INTERVAL_S)
            if not self.is_live():
                await self.close()
                return

    async def _on_connection_state(self) -> None:
        state = self.pc.connectionState
        log.info("WebRTC peer of %s: %s", self.key, state)
        if state in ("failed", "closed"):
            await self.close()

    async def close(self) -> None:
        """Stop the track tasks, close the connection and leave the registry (idempotent)."""
        if self.closed:
            return
        self.closed = True
        if PEERS.get(self.key) is self:
            del PEERS[self.key]
        current = asyncio.current_task()
        tasks = [t for t in self._tasks if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for viewer in list(self.viewers):
            with contextlib.suppress(Exception):
                await viewer.close()
        self.viewers.clear()
        with contextlib.suppress(Exception):
            await self.pc.close()


def register(peer: CandidatePeer) -> CandidatePeer | None:
    """Make `peer` its session's peer; return the peer it replaces (the caller closes it).

    Raises `PeerLimitError` when the process is full (a replacement is always allowed).
    """
    old = PEERS.get(peer.key)
    if old is None and len(PEERS) >= MAX_PEERS:
        raise PeerLimitError(f"too many WebRTC peers ({MAX_PEERS})")
    PEERS[peer.key] = peer
    return old


def check_capacity(key: str) -> None:
    """Raise `PeerLimitError` if a new peer for `key` would exceed `MAX_PEERS`."""
    if key not in PEERS and len(PEERS) >= MAX_PEERS:
        raise PeerLimitError(f"too many WebRTC peers ({MAX_PEERS})")


async def close_peer(key: str) -> bool:
    """Close the peer of session `key`, if any; return whether there was one."""
    peer = PEERS.pop(key, None)
    if peer is None:
        return False
    await peer.close()
    return True


async def stop_peer_audio(key: str) -> None:
    """Call before the session's stop flush: push the audio frames already received, then
    stop pushing (the peer keeps draining its tracks; video goes on)."""
    peer = PEERS.get(key)
    if peer is None:
        return
    await asyncio.sleep(0)  # a consumer woken by a decoded frame pushes it first
    peer.audio_open = False


async def close_all_peers() -> None:
    """Close every peer (server shutdown)."""
    for key in list(PEERS):
        await close_peer(key)
