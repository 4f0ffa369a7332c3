"""WebRTC media in: one aiortc peer per live session, feeding a `MediaSink` (the session).

The candidate's browser sends its microphone and camera as tracks; events still go back over
the candidate WebSocket. Every accepted track is drained continuously (aiortc decodes into an
unbounded queue); audio is converted to mono int16 on the event loop (microseconds per 20-ms
frame) and video frames are handed to the sink as they are: it samples them, and the chosen
ones are converted where they are used (the vision worker, the recorder's thread).
`PeerRegistry` holds the peers of one process (an object of the app).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable

import av
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

from media.sink import AudioClosed, MediaSink

log = logging.getLogger(__name__)

#: most peers a process holds at once by default; more offers are refused (HTTP 503)
MAX_PEERS = 64
#: how often a peer checks that its session is still live
WATCH_INTERVAL_S = 1.0


class PeerLimitError(RuntimeError):
    """The registry is full (or a session has as many video viewers as allowed)."""


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
        sink: MediaSink,
        is_live: Callable[[], bool] | None = None,
        ice_servers: list[RTCIceServer] | None = None,
        on_closed: Callable[[CandidatePeer], None] | None = None,
    ) -> None:
        self.key = key
        self.sink = sink
        self.is_live = is_live or (lambda: True)
        self._on_closed = on_closed
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
        sink = self.sink
        rate = sink.audio_rate
        if rate is None:
            rate = frame.sample_rate
            try:
                sink.start_audio(rate)
            except ValueError:
                sink.media_error("bad_audio", f"unsupported WebRTC audio rate {rate}")
                return
        pcm = self._to_mono_s16(frame, rate)
        if not pcm:
            return
        try:
            sink.push_audio(pcm)
        except AudioClosed:  # the stop flush has begun
            self.audio_open = False

    def _to_mono_s16(self, frame: av.AudioFrame, rate: int) -> bytes:
        """The frame as mono int16 at `rate` (the sink's rate, normally the frame's own)."""
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
                    # the pipeline samples and drops; conversion happens where frames are used
                    self.sink.push_video(frame)
        except MediaStreamError:
            pass
        except Exception:  # noqa: BLE001 - the peer goes, the session stays
            log.exception("video track of %s failed", self.key)
            await self.close()

    def _usable(self) -> bool:
        """Whether audio may still go into the session (live and not stopped)."""
        return self.audio_open and self.is_live() and self.sink.accepting_audio

    # -- lifecycle ------------------------------------------------------------------------------
    async def _watch(self) -> None:
        """Close the peer once its session is gone, even if nobody closes it."""
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
        if self._on_closed is not None:
            self._on_closed(self)
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


class PeerRegistry:
    """The candidate peers of this process, one per session (by key), at most `max_peers`."""

    def __init__(self, max_peers: int = MAX_PEERS) -> None:
        self.max_peers = max_peers
        self._peers: dict[str, CandidatePeer] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._peers

    def __len__(self) -> int:
        return len(self._peers)

    def get(self, key: str) -> CandidatePeer | None:
        return self._peers.get(key)

    def check_capacity(self, key: str) -> None:
        """Raise `PeerLimitError` if a new peer for `key` would exceed `max_peers`."""
        if key not in self._peers and len(self._peers) >= self.max_peers:
            raise PeerLimitError(f"too many WebRTC peers ({self.max_peers})")

    def create(self, key: str, sink: MediaSink, is_live: Callable[[], bool] | None = None,
               ice_servers: list[RTCIceServer] | None = None) -> tuple[CandidatePeer,
                                                                       CandidatePeer | None]:
        """A new peer for session `key`, registered; and the peer it replaces (the caller
        closes it). Raises `PeerLimitError` when full (a replacement is always allowed)."""
        self.check_capacity(key)
        peer = CandidatePeer(key, sink, is_live, ice_servers, on_closed=self._discard)
        old = self._peers.get(key)
        self._peers[key] = peer
        return peer, old

    def _discard(self, peer: CandidatePeer) -> None:
        if self._peers.get(peer.key) is peer:
            del self._peers[peer.key]

    async def close(self, key: str) -> bool:
        """Close the peer of session `key`, if any; return whether there was one."""
        peer = self._peers.pop(key, None)
        if peer is None:
            return False
        await peer.close()
        return True

    async def stop_audio(self, key: str) -> None:
        """Call before the session's stop flush: push the audio frames already received, then
        stop pushing (the peer keeps draining its tracks; video goes on)."""
        peer = self._peers.get(key)
        if peer is None:
            return
        await asyncio.sleep(0)  # a consumer woken by a decoded frame pushes it first
        peer.audio_open = False

    async def close_all(self) -> None:
        """Close every peer (server shutdown)."""
        for key in list(self._peers):
            await self.close(key)
