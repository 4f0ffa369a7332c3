"""The vision scheduler keeps several sessions' frames in flight per worker process (a frame's
round trip is mostly waiting), but never two of one session: its results stay in order."""

from __future__ import annotations

import asyncio

from server.live.vision_scheduler import VisionJob, VisionResult, VisionScheduler


class SlowAnalysis:
    """Stands in for the worker round trip: 50 ms a frame, recording what was in flight."""

    def __init__(self) -> None:
        self.in_flight: list[str] = []
        self.most = 0
        self.same_session_overlap = False

    async def __call__(self, job: VisionJob) -> VisionResult:
        key = job.payload()
        self.same_session_overlap |= key in self.in_flight
        self.in_flight.append(key)
        self.most = max(self.most, len(self.in_flight))
        await asyncio.sleep(0.05)
        self.in_flight.remove(key)
        return VisionResult(job.t, None, None, 50.0)


async def run_frames(vision: VisionScheduler, sessions: int, frames: int) -> dict[str, list]:
    fake = SlowAnalysis()
    vision._analyse = fake  # type: ignore[method-assign]
    vision.start()
    delivered: dict[str, list[float]] = {f"s{i}": [] for i in range(sessions)}
    try:
        for n in range(frames):
            for key, got in delivered.items():
                vision.submit(key, VisionJob(payload=lambda k=key: k, want_pose=False, t=float(n),
                                             deliver=lambda r, got=got: got.append(r.t)))
            await asyncio.sleep(0.06)
        await asyncio.sleep(0.3)
    finally:
        await vision.close()
    assert not fake.same_session_overlap, "two frames of one session were in flight at once"
    return {"most": fake.most, **delivered}


async def test_three_sessions_in_flight_at_once_on_one_process():
    got = await run_frames(VisionScheduler(1, processes=True, inflight=3), sessions=4, frames=6)
    assert got.pop("most") == 3
    for times in got.values():
        assert times == sorted(times) and len(times) >= 4  # every session kept up, in order


async def test_one_in_flight_serves_sessions_in_turn():
    got = await run_frames(VisionScheduler(1, processes=True, inflight=1), sessions=4, frames=6)
    assert got.pop("most") == 1
    delivered = sum(len(t) for t in got.values())
    assert delivered < 4 * 6  # 50 ms a frame cannot keep up with 4 sessions every 60 ms
    assert min(len(t) for t in got.values()) >= 1  # round robin: nobody starves
