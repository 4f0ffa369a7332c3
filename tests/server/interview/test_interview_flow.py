"""Live turn-taking end to end: a real server and model, spoken answers (espeak-ng) streamed in
real time over the candidate WebSocket; questions, follow-ups, evaluations and the report."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
import websockets

from analyzers.answer_eval import Evaluation, evaluate_answer_offline
from analyzers.followup import is_strong, leaks_point
from analyzers.questions import Question
from analyzers.report import WPM_FAST, WPM_SLOW
from media.audiofile import read_audio
from media.simulate import stream_pcm, ws_url
from server.interview.judge import Judgment, OfflineJudge
from server.store.answers import answer_records
from tests.conftest import ServerThread, espeak
from tests.support.fakes import ScriptedSession
from tests.support.interview import (
    VAGUE,
    Candidate,
    is_,
    planned_questions,
    speech,
    stored_evaluations,
)

PAUSE_S = 2.0
RATE = 16000
CHUNK_S = 0.02
GAP_S = 0.6  # silence between the sentences of one answer (VAD closes utterances at 0.39 s)
FOLLOW_UP_LATENCY_S = 2.0


@pytest.fixture(scope="module")
def flow_server(tmp_path_factory, transcriber):
    from server.app import create_app
    from server.config import Settings

    db = tmp_path_factory.mktemp("flowdb") / "flow.db"
    settings = Settings(database_url=f"sqlite:///{db}", asr_workers=2, asr_threads=1,
                        answer_pause_s=PAUSE_S, groq_api_key="", redis_url="")
    app = create_app(settings, transcriber=transcriber)
    with ServerThread(app) as srv:
        srv.app = app
        yield srv




def create_interview(srv, **fields) -> dict:
    body = {"job_role": "backend engineer", "num_questions": 2, "difficulty": "intermediate",
            "question_type": "technical", **fields}
    r = httpx.post(f"{srv.url}/api/interviews", json=body, timeout=30)
    assert r.status_code == 201, r.text
    interview = r.json()
    # The creation API may plan questions itself; the test pins two known questions so the
    # strong answer is reliably strong after speech recognition.
    srv.app.state.store.update_interview(interview["id"], questions=planned_questions(),
                                         num_questions=2)
    return interview


def strong_sentences(question: dict) -> list[str]:
    connectors = ["First,", "Then,", "Next,", "After that,", "Finally,"]
    out = [f"{c} {p}." for c, p in zip(connectors, question["expected_points"], strict=False)]
    out.append("For example, in my last project this cut the latency by 40 percent.")
    out.append("However, the trade-off is more complexity, so it depends on the load.")
    return out










def wait_records(srv, interview_id: str, n: int, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        records = answer_records(srv.app.state.store, interview_id)
        if len(records) >= n or time.monotonic() > deadline:
            return records
        time.sleep(0.1)


async def test_full_interview_by_voice(flow_server, tmp_path):
    srv = flow_server
    interview = create_interview(srv)
    questions = planned_questions()
    strong_audio = speech(strong_sentences(questions[0]), tmp_path, "strong")
    vague_audio = speech(VAGUE, tmp_path, "vague")
    follow_audio = speech([f"Well, {p}." for p in questions[1]["expected_points"][:2]],
                          tmp_path, "follow")

    async with Candidate(srv, interview) as cand:
        # -- question 1: a strong answer ends on the pause and moves to the next question
        q1 = await cand.wait_for(is_("question", turn=0), 15)
        assert (q1["index"], q1["question_id"], q1["is_follow_up"], q1["total"]) == (
            0, questions[0]["id"], False, 2)
        assert q1["text"] == questions[0]["text"] and q1["skill"] == questions[0]["skill"]
        await cand.say(strong_audio)
        done1 = await cand.wait_for(is_("answer.completed", turn=0), 30)
        assert done1["reason"] == "pause" and "query" in done1["text"].lower()
        await cand.wait_for(is_("evaluation", turn=0), 10)  # practice: coaching
        q2 = await cand.wait_for(is_("question", turn=1), 10)
        assert (q2["index"], q2["question_id"], q2["is_follow_up"]) == (
            1, questions[1]["id"], False)

        # -- question 2: a vague answer gets a follow-up within 2 s
        await cand.say(vague_audio)
        done2 = await cand.wait_for(is_("answer.completed", turn=1), 30)
        assert done2["reason"] == "pause"
        follow = await cand.wait_for(is_("question", turn=2), 10)
        latency = follow["_arrived"] - done2["_arrived"]
        print(f"follow-up latency: {latency * 1000:.0f} ms")
        assert latency < FOLLOW_UP_LATENCY_S
        assert follow["is_follow_up"] is True and follow["index"] == 1
        assert follow["question_id"] == questions[1]["id"] and follow["text"].endswith("?")
        await cand.wait_for(is_("evaluation", turn=1), 10)

        # -- the follow-up: answered, then ended with `next` before the pause elapses
        await cand.say(follow_audio)
        await cand.ws.send(json.dumps({"type": "next"}))
        done3 = await cand.wait_for(is_("answer.completed", turn=2), 10)
        assert done3["reason"] == "next" and done3["text"], done3
        await cand.wait_for(is_("evaluation", turn=2), 10)
        completed = await cand.wait_for(is_("interview.completed"), 10)
        await cand.wait_for(is_("state", state="completed"), 5)
        await cand.stop()

    events = cand.events
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs)

    # questions in order; one follow-up at most per planned question; none after the end
    asked = cand.of("question")
    assert [(q["turn"], q["index"], q["is_follow_up"]) for q in asked] == [
        (0, 0, False), (1, 1, False), (2, 1, True)]
    assert all(q["seq"] < completed["seq"] for q in asked)
    # the follow-up never hands the candidate an expected point
    assert not leaks_point(follow["text"], Question.from_dict(questions[1]))

    # every answer evaluated by meaning, offline, with its evidence
    evaluations = stored_evaluations(srv, interview, 3)
    assert [e["turn"] for e in evaluations] == [0, 1, 2]
    assert is_strong(Evaluation.from_dict(evaluations[0])), evaluations[0]
    assert not is_strong(Evaluation.from_dict(evaluations[1])), evaluations[1]
    answers = {0: done1["text"], 1: done2["text"], 2: done3["text"]}
    for ev in evaluations:
        assert 0 <= ev["score"] <= 100
        assert ev["feedback"] and ev["source"] == "offline" and ev["formula"]
        assert "offline estimate" in ev["method"]
        assert set(ev) >= {"strengths", "improvements", "points_covered", "points_missed",
                           "points_contradicted", "evidence", "gates", "coaching", "delivery",
                           "vision", "question_id", "is_follow_up"}
        for item in ev["evidence"]:
            if item["status"] == "covered":  # quoted from this answer
                assert item["sentence"].lower()[:20] in answers[ev["turn"]].lower(), item
        d = ev["delivery"]
        assert d["words"] > 0 and 60 < d["wpm"] < 300, d
        assert d["fillers_per_min"] >= 0 and 0 <= d["pause_ratio"] <= 1
        assert d["time_to_first_word_s"] is not None and d["time_to_first_word_s"] >= 0
        assert set(ev["vision"]) >= {"eye_contact", "posture", "confidence"}
        assert ev["vision"]["eye_contact"] is None  # no camera: absent, not perfect
    assert evaluations[0]["score"] > evaluations[1]["score"]
    assert evaluations[0]["coverage"] >= 0.75 and evaluations[0]["points_covered"]
    # the follow-up is graded mainly on the point it probes, and on the parent's points
    assert evaluations[2]["question"] == follow["text"]
    # the candidate's copies: the same score, coaching, no answer key
    for copy, full in zip(sorted(cand.of("evaluation"), key=lambda e: e["turn"]), evaluations,
                          strict=True):
        assert copy["score"] == full["score"] and copy["coaching"] == full["coaching"]
        assert not {"points_missed", "points_covered", "evidence", "feedback"} & set(copy)
    # the answer's delivery is measured on that answer's finals only: first word to last
    finals0 = [f for f in cand.of("transcript.final")
               if q1["seq"] < f["seq"] < done1["seq"]]
    d0 = evaluations[0]["delivery"]
    # (Whisper's word times may lie a little outside the VAD's utterance span)
    assert finals0[0]["start"] - 0.3 <= d0["first_word_t"] < d0["last_word_t"] <= \
        finals0[-1]["end"] + 0.3
    assert abs(d0["speaking_s"] - (d0["last_word_t"] - d0["first_word_t"])) < 0.02
    assert d0["time_to_first_word_s"] == pytest.approx(max(0.0, d0["first_word_t"] - q1["t"]),
                                                       abs=0.02)
    assert done1["text"] == " ".join(f["text"].strip() for f in finals0)

    # the report agrees with the events: content and delivery apart
    r = httpx.get(f"{srv.url}/api/interviews/{interview['id']}/report",
                  params={"token": interview["candidate_token"]}, timeout=10)
    assert r.status_code == 200, r.text  # practice: the candidate's own report
    report = r.json()
    assert report["partial"] is False and report["interview"]["status"] == "completed"
    scores = [e["score"] for e in evaluations]
    assert report["knowledge_score"] == round(sum(scores) / len(scores))
    assert report["final_score"] == report["knowledge_score"]  # delivery is not added
    per_q = {p["index"]: p for p in report["per_question"]}
    assert per_q[0]["score"] == evaluations[0]["score"]
    assert per_q[1]["score"] == round((evaluations[1]["score"] + evaluations[2]["score"]) / 2)
    assert "offline estimate" in per_q[0]["source_label"]
    assert report["questions_answered"] == report["questions_total"] == 2
    assert report["through_seq"] < completed["seq"]
    not_observed = {n["component"] for n in report["delivery_not_observed"]}
    assert {"eye_contact", "posture"} <= not_observed  # no camera
    assert "eye_contact" not in report["delivery_components"]
    assert report["formula"]["final"] and report["formula"]["delivery"]
    for key in ("final_score", "knowledge_score", "confidence_score", "performance_level"):
        assert completed[key] == report[key]
    assert completed["complete"] is True and completed["questions_answered"] == 2
    level = report["performance_level"]
    fs = report["final_score"]
    assert level == ("excellent" if fs >= 85 else "good" if fs >= 70
                     else "average" if fs >= 50 else "poor")
    # pace: over the answers' spans, and the feedback says so when it is off
    wpm = report["delivery"]["wpm"]
    words = sum(e["delivery"]["words"] for e in evaluations)
    span = sum(e["delivery"]["speaking_s"] for e in evaluations)
    assert wpm == pytest.approx(60 * words / span, abs=1.0)
    slower = [f for f in report["feedback"] if f.startswith("Speak slower")]
    faster = [f for f in report["feedback"] if f.startswith("Speak a little faster")]
    assert bool(slower) == (wpm > WPM_FAST) and bool(faster) == (wpm < WPM_SLOW)
    assert [a["turn"] for a in report["answers"]] == [0, 1, 2]
    assert [a["answer"] for a in report["answers"]] == [
        done1["text"], done2["text"], done3["text"]]
    assert report["strengths"] and report["improvements"] and report["feedback"]

    # stored: answers, scores and status on the interview
    records = wait_records(srv, interview["id"], 3)
    assert [(a.index, a.is_follow_up, a.score) for a in records] == [
        (e["turn"], e["is_follow_up"], e["score"]) for e in evaluations]
    assert records[0].answer == done1["text"] and records[0].evaluation["coverage"] >= 0.75
    assert records[2].question["text"] == follow["text"]
    assert records[2].question["expected_points"] == questions[1]["expected_points"]
    row = srv.app.state.store.get_interview(interview["id"])
    assert row.status == "completed" and row.final_score == report["final_score"]
    assert row.knowledge_score == report["knowledge_score"]
    assert row.performance_level == level and row.report["answers"]


async def test_stop_mid_answer_reports_what_was_answered(flow_server, tmp_path):
    srv = flow_server
    interview = create_interview(srv)
    questions = planned_questions()
    audio = speech(strong_sentences(questions[0])[:3], tmp_path, "partial")
    async with Candidate(srv, interview) as cand:
        await cand.wait_for(is_("question", turn=0), 15)
        await cand.say(audio)
        await asyncio.sleep(0.3)  # well before the answer pause
        await cand.stop()
    types = [e["type"] for e in cand.events]
    assert types.count("question") == 1
    done = cand.of("answer.completed")
    assert len(done) == 1 and done[0]["reason"] == "stop" and done[0]["text"]
    (ev,) = cand.of("evaluation")
    (completed,) = cand.of("interview.completed")
    assert completed["complete"] is False
    assert (completed["questions_answered"], completed["questions_total"]) == (1, 2)
    assert completed["knowledge_score"] == ev["score"]
    # order: evaluation, interview.completed, state completed, then stopped
    assert types.index("evaluation") < types.index("interview.completed")
    assert cand.events[-1]["state"] == "stopped"
    r = httpx.get(f"{srv.url}/api/interviews/{interview['id']}/report",
                  params={"token": interview["spectator_token"]}, timeout=10)
    report = r.json()
    assert r.status_code == 200 and report["questions_answered"] == 1
    assert [p["answered"] for p in report["per_question"]] == [True, False]
    assert report["per_question"][0]["score"] == ev["score"]
    assert srv.app.state.store.get_interview(interview["id"]).status == "completed"


async def test_interview_without_questions_has_no_turns(flow_server, tmp_path):
    srv = flow_server
    r = httpx.post(f"{srv.url}/api/interviews", json={}, timeout=10)
    interview = r.json()
    samples, rate = read_audio(espeak("We added caching and monitoring.", tmp_path / "p.wav"))
    audio = np.concatenate([np.zeros(rate, np.int16), samples, np.zeros(rate, np.int16)])
    result = await stream_pcm(srv.url, audio, rate, interview=interview, speed=2.0)
    types = {e["type"] for e in result.events}
    assert result.finals and "metrics" in types
    assert not types & {"question", "answer.completed", "evaluation", "interview.completed"}
    # `next` is not a message of free practice
    url = ws_url(srv.url, (r := httpx.post(f"{srv.url}/api/interviews", json={})).json()["id"],
                 r.json()["candidate_token"])
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"type": "next"}))
        while (event := json.loads(await asyncio.wait_for(ws.recv(), 5)))["type"] != "error":
            pass
        assert event["code"] == "unknown_type"
    report = httpx.get(f"{srv.url}/api/interviews/{interview['id']}/report",
                       params={"token": interview["candidate_token"]})
    assert report.status_code == 409


# --------------------------------------------------------------------------- the room, in Chromium

CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_room_shows_questions_and_sends_next(flow_server, tmp_path):
    """The room page with a question plan: it shows each question (and the follow-up), its
    "Next question" button ends the answer, and the end card links to the report."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (CI installs it)")
    from playwright.sync_api import sync_playwright

    from tests.support.media import speech_wav

    # short gaps between the looped sentences: only "Next question" ends an answer
    wav = speech_wav(tmp_path / "room.wav", "I am not sure. Maybe I would add an index.",
                     lead_s=0.3, tail_s=0.5)
    interview = create_interview(flow_server)
    questions = planned_questions()
    args = ["--no-sandbox", "--disable-gpu", "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream", f"--use-file-for-fake-audio-capture={wav}"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
        page = browser.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        try:
            page.add_init_script("localStorage.setItem('room.speakQuestions', '0')")
            page.goto(interview["room_url"] + "&transport=websocket")
            page.click("#start-button")

            def answer_and_next(label: str, text: str | None = None) -> None:
                page.wait_for_function(
                    "(l) => document.querySelector('#question-label').textContent === l",
                    arg=label, timeout=30_000)
                if text is not None:
                    assert page.text_content("#question-text") == text
                lines = page.locator("#transcript li").count()
                page.wait_for_function(  # the candidate has said something since
                    "(n) => document.querySelectorAll('#transcript li').length > n",
                    arg=lines, timeout=30_000)
                page.wait_for_function(
                    "() => !document.querySelector('#question-next').disabled", timeout=5_000)
                page.click("#question-next")

            answer_and_next("Question 1 of 2", questions[0]["text"])
            answer_and_next("Follow-up question")  # a vague answer gets a follow-up
            page.wait_for_function(
                "() => document.querySelector('#question-label').textContent === "
                "'Question 2 of 2'", timeout=30_000)
            assert page.text_content("#question-text") == questions[1]["text"]
            assert "/100" in page.text_content("#coaching")  # practice: coaching on the last answer
            page.click("#stop-button")
            page.wait_for_selector("#report-link", timeout=30_000)
            href = page.get_attribute("#report-link", "href")
            assert href == f"/report/{interview['id']}?token={interview['candidate_token']}"
            assert "Practice result" in page.text_content("#report-summary")
            page.wait_for_function("() => document.body.dataset.phase === 'ended'",
                                   timeout=30_000)
            page.click("#report-link")
            page.wait_for_function("() => /\\d/.test(document.querySelector('#final-score')"
                                   ".textContent)", timeout=15_000)
        except Exception as exc:
            raise AssertionError(f"{exc}\nbrowser console:\n" + "\n".join(console[-30:])) from exc
        finally:
            browser.close()
    records = wait_records(flow_server, interview["id"], 2)
    assert [(r.index, r.is_follow_up) for r in records][:2] == [(0, False), (1, True)]


# --------------------------------------------------------------------------- slow interviewer


class SlowInterviewer:
    """Like Groq on a bad day: its judgment (evaluation and follow-up decision) takes
    `delay_s`; `follow_up` is what it decides."""

    def __init__(self, delay_s: float, follow_up: str = "A slow follow-up?") -> None:
        self.delay_s = delay_s
        self.offline = OfflineJudge()
        self.decision = follow_up
        self.enabled = True

    async def judge(self, question, answer, delivery=None, offline=None):
        await asyncio.sleep(self.delay_s)
        ev = evaluate_answer_offline(question, answer, delivery)
        ev.source = "groq"
        return Judgment(ev, self.decision, decided=True)


async def test_slow_interviewer_never_delays_the_next_question(tmp_path):
    """Evaluation and follow-up calls that take 3 s: the follow-up decision falls back to the
    offline rubric and follow-up within the 2 s budget; the slow evaluation still arrives,
    is stored and ends up in the report."""
    from analyzers.questions import Question
    from server.interview.flow import InterviewFlow
    from server.interview.turns import FlowConfig
    from server.store.store import Store

    store = Store(f"sqlite:///{tmp_path / 'stub.db'}")
    store.create_interview(id="stub", questions=planned_questions())
    session = ScriptedSession()
    qs = [Question.from_dict(q) for q in planned_questions()]
    flow = InterviewFlow(session, qs, interviewer=SlowInterviewer(3.0), store=store,
                         config=FlowConfig(answer_pause_s=2.0))
    session.tick(1.0)
    (asked,) = session.of("question")
    assert asked.data["index"] == 0 and asked.data["question_id"] == qs[0].id
    session.say("I am not sure, maybe an index.", 1.5, 3.0)
    session.tick(4.0)
    assert not session.of("answer.completed")  # 1.0 s of silence < answer_pause_s
    session.tick(5.1)
    await asyncio.sleep(0.01)  # the answer is closed by a task
    (done,) = session.of("answer.completed")
    assert done.data["reason"] == "pause" and done.data["text"] == "I am not sure, maybe an index."
    deadline = time.monotonic() + 5
    while len(session.of("question")) < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    follow = session.of("question")[1]
    latency = session.arrived[follow.seq] - session.arrived[done.seq]
    assert latency < FOLLOW_UP_LATENCY_S, latency
    assert follow.data["is_follow_up"] and follow.data["text"] != "A slow follow-up?"  # offline
    assert not session.of("evaluation")  # the slow evaluation is still running
    await flow.stop()  # nothing said to the follow-up: it is not evaluated
    (ev,) = session.of("evaluation")
    assert ev.data["source"] == "groq" and ev.data["turn"] == 0
    (completed,) = session.of("interview.completed")
    assert completed.data["knowledge_score"] == ev.data["score"]
    assert completed.data["questions_answered"] == 1 and completed.data["complete"] is False
    assert [r.score for r in answer_records(store, "stub")] == [ev.data["score"]]
    row = store.get_interview("stub")
    assert row.status == "completed" and row.report["answers"][0]["answer"] == done.data["text"]


async def test_the_llm_decides_the_follow_up_when_it_answers_in_time(tmp_path):
    """A judgment that arrives within the decision budget (here after 0.8 s) decides: its
    follow-up is asked, within 2 s of the answer's end."""
    from analyzers.questions import Question
    from server.interview.flow import InterviewFlow
    from server.interview.turns import FlowConfig
    from server.store.store import Store

    store = Store(f"sqlite:///{tmp_path / 'llm.db'}")
    store.create_interview(id="llm", questions=planned_questions())
    session = ScriptedSession()
    qs = [Question.from_dict(q) for q in planned_questions()]
    asked_by_llm = "Which part of the request would you measure first, and how?"
    flow = InterviewFlow(session, qs, interviewer=SlowInterviewer(0.8, asked_by_llm),
                         store=store, config=FlowConfig(answer_pause_s=2.0))
    session.tick(1.0)
    session.say("I am not sure, maybe an index.", 1.5, 3.0)
    session.tick(5.1)
    deadline = time.monotonic() + 5
    while len(session.of("question")) < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    (done,) = session.of("answer.completed")
    follow = session.of("question")[1]
    assert follow.data["is_follow_up"] and follow.data["text"] == asked_by_llm
    assert session.arrived[follow.seq] - session.arrived[done.seq] < FOLLOW_UP_LATENCY_S
    (ev,) = session.of("evaluation")
    assert ev.data["source"] == "groq"
    await flow.stop()
