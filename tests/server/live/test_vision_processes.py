"""Camera frames are analysed in worker processes: real MediaPipe results come back, a worker
that dies is replaced (the session hears `vision_failed`, the next frame is analysed), and a
worker whose server was killed does not outlive it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import av
import pytest

from media.camera_frame import video_payload
from server.live.vision_scheduler import VisionJob, VisionResult, VisionScheduler
from tests.support.media import astronaut_canvas

pytestmark = pytest.mark.timeout(120)


async def analyse(vision: VisionScheduler, key: str, want_pose: bool = False) -> VisionResult:
    done: asyncio.Future[VisionResult] = asyncio.get_running_loop().create_future()
    # as WebRTC delivers it: a decoded I420 frame, whose planes go to the worker
    frame = av.VideoFrame.from_ndarray(astronaut_canvas(), format="rgb24").reformat(
        format="yuv420p")
    vision.submit(key, VisionJob(payload=lambda: video_payload(frame), want_pose=want_pose,
                                 t=1.0, deliver=done.set_result))
    return await asyncio.wait_for(done, 60)


def worker_pids(vision: VisionScheduler) -> list[int]:
    assert vision._procs is not None
    return list(vision._procs._processes)


async def test_frames_are_analysed_in_a_worker_process_that_is_replaced_when_it_dies():
    vision = VisionScheduler(1, processes=True)
    vision.start()
    try:
        await vision.warm_up()
        pids = worker_pids(vision)
        assert len(pids) == 1 and pids[0] != os.getpid()
        result = await analyse(vision, "a", want_pose=True)
        assert result.error is None
        assert result.face is not None and result.face.present
        assert result.pose is not None
        assert result.thumb is not None and result.thumb.shape == (24, 32)
        assert vision._local.__dict__ == {}  # no models loaded in this process's threads

        os.kill(pids[0], signal.SIGKILL)
        lost = await analyse(vision, "a")
        assert lost.error is not None and getattr(lost.error, "code", "") == "vision_failed"
        assert vision.restarts == 1
        again = await analyse(vision, "a")  # a new process analyses the next frame
        assert again.error is None and again.face is not None and again.face.present
        assert worker_pids(vision) != pids
    finally:
        await vision.close()


CHILD = """
import asyncio, sys
from server.live.vision_scheduler import VisionScheduler
async def main():
    vision = VisionScheduler(1)
    vision.start()
    await vision.warm_up()
    print(*vision._procs._processes, flush=True)
    await asyncio.sleep(600)
asyncio.run(main())
"""


def test_a_worker_does_not_outlive_a_killed_server():
    server = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        worker = int(server.stdout.readline())
        os.kill(worker, 0)  # alive
    finally:
        server.kill()
        server.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(worker, signal.SIGKILL)
    pytest.fail("the vision worker outlived its killed server by 10 s")
