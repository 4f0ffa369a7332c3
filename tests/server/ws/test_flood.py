"""One client pushing audio at 20x real time cannot starve another: the flooder is throttled,
then refused (`too_fast`), and a clean session's finals come as fast as when it is alone."""

from __future__ import annotations

import asyncio
import json
import statistics

import pytest
import websockets

from analyzers.text import wer
from media.frames import audio_frame
from media.simulate import stream_pcm, ws_url
from tests.conftest import JFK_TEXT

pytestmark = pytest.mark.timeout(240)


async def flood(server, new_interview, samples, rate: int, stop: asyncio.Event) -> dict:
    """Speech at 20x real time: a 0.1-s chunk every 5 ms, round and round, until `stop`."""
    interview = new_interview()
    url = ws_url(server.url, interview["id"], interview["candidate_token"])
    out = {"sent_s": 0.0, "too_fast": 0, "close": None, "finals": 0}
    async with websockets.connect(url, max_size=None) as ws:
        async def read() -> None:
            try:
                async for raw in ws:
                    event = json.loads(raw)
                    if event.get("code") == "too_fast":
                        out["too_fast"] += 1
                    elif event["type"] == "transcript.final":
                        out["finals"] += 1
            except websockets.ConnectionClosed as exc:
                out["close"] = exc.rcvd.code if exc.rcvd else 1006

        reader = asyncio.create_task(read())
        await ws.send(json.dumps({"type": "start", "audio": {"sample_rate": rate}}))
        chunk, pos = rate // 10, 0
        while not stop.is_set():
            piece = samples[pos : pos + chunk]
            pos = (pos + chunk) % (len(samples) - chunk)
            await ws.send(audio_frame(piece.tobytes()))
            out["sent_s"] += 0.1
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.5)
        out["open_at_end"] = out["close"] is None
        reader.cancel()
    return out


async def test_a_flooder_does_not_slow_down_a_clean_session(server, new_interview, jfk):
    samples, rate = jfk
    solo = await stream_pcm(server.url, samples, rate, interview=new_interview())
    stop = asyncio.Event()
    flooder = asyncio.create_task(flood(server, new_interview, samples, rate, stop))
    await asyncio.sleep(2.0)  # the flooder's burst allowance is spent
    flooded = await stream_pcm(server.url, samples, rate, interview=new_interview())
    stop.set()
    f = await flooder
    wall_s = flooded.duration_s
    assert f["sent_s"] > 10 * wall_s  # it really sent 10-20x real time
    assert f["too_fast"] >= 1 and f["open_at_end"]  # told, refused, not disconnected
    assert wer(JFK_TEXT, flooded.text) <= 0.10, flooded.text
    solo_p50 = statistics.median(solo.final_latencies)
    flooded_p50 = statistics.median(flooded.final_latencies)
    print(f"clean session final latency alone p50 {solo_p50:.3f} s max "
          f"{max(solo.final_latencies):.3f} s; beside a 20x flooder p50 {flooded_p50:.3f} s max "
          f"{max(flooded.final_latencies):.3f} s; the flooder sent {f['sent_s']:.0f} s of audio "
          f"in about {wall_s:.0f} s, {f['too_fast']} too_fast, {f['finals']} finals")
    # (the clip has two utterances, so a median is noisy: 0.1 s of slack for the machine's
    # jitter; before the fix the flooder pushed finals to 24 s)
    assert flooded_p50 <= 1.5 * solo_p50 + 0.1, (solo.final_latencies, flooded.final_latencies)
    assert max(flooded.final_latencies) <= 1.5 * max(solo.final_latencies) + 0.2
