"""The multi-node deployment of `deploy/` on real processes: nginx (the Debian package) with
`deploy/nginx.conf.template` in front of two `interview-server` nodes sharing the CI Redis and
one PostgreSQL schema. Every request goes through nginx; its access log (`$upstream_addr` per
request) shows which node served it. Each interview's requests (pages, API, both sockets, the
WebRTC offer) reach one node, the node Redis names as the session's owner; interviews spread
over both nodes; no node forwards an offer; requests without an interview id are balanced."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
import websockets

from analyzers.text import wer
from media.audiofile import read_audio
from media.simulate import stream_pcm, ws_url
from tests.conftest import JFK, JFK_TEXT, free_port
from tests.support.db import JWT_SECRET, postgres_schema
from tests.support.nodes import Node
from tests.support.services import redis_url
from tests.support.spectator import spectate_url, watch

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
LOG_LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+)" (?P<status>\d+) id=(?P<id>\S*) '
                      r"upstream=(?P<upstream>.*?) time=")


def nginx_binary() -> str:
    """nginx of the Debian package; a failure (never a skip) when it is not installed."""
    path = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if path is None:
        pytest.fail("nginx is not installed: ./scripts/test installs it (Debian package nginx), "
                    "or: apt-get install nginx")
    return path


def render(template: str, values: dict[str, str]) -> str:
    """The template with its ${NAME} placeholders filled, as the nginx image's envsubst does;
    an unknown placeholder is an error here."""
    def fill(match: re.Match) -> str:
        if match.group(1) not in values:
            raise KeyError(f"no value for ${{{match.group(1)}}} in {TEMPLATE}")
        return values[match.group(1)]

    return PLACEHOLDER.sub(fill, template)


@dataclass
class Hit:
    """One request in nginx's access log."""

    method: str
    path: str
    status: int
    interview_id: str
    upstream: str


class Nginx:
    """nginx in its own prefix (config, pid, buffers, logs) on a free port, in the foreground."""

    def __init__(self, prefix: Path, nodes: list[Node]) -> None:
        self.binary = nginx_binary()
        self.prefix = prefix
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.access_log = prefix / "access.log"
        self.error_log = prefix / "error.log"
        self.conf = prefix / "nginx.conf"
        (prefix / "state").mkdir(parents=True)
        self.conf.write_text(render(TEMPLATE.read_text(), {
            "LISTEN_PORT": str(self.port),
            "NODE_1": f"127.0.0.1:{nodes[0].port}", "NODE_2": f"127.0.0.1:{nodes[1].port}",
            "NGINX_STATE_DIR": str(prefix / "state"),
            "ACCESS_LOG": str(self.access_log), "ERROR_LOG": str(self.error_log),
        }))
        self.node_of = {f"127.0.0.1:{n.port}": n.name for n in nodes}
        self.proc: subprocess.Popen | None = None

    def command(self, *extra: str) -> list[str]:
        # as root the workers would run as `nobody`, who cannot enter pytest's 0700 temp dirs
        directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
        return [self.binary, "-p", str(self.prefix), "-c", str(self.conf), "-e",
                str(self.error_log), "-g", directives, *extra]

    def start(self) -> Nginx:
        checked = subprocess.run(self.command("-t"), capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL,
                                     stderr=(self.prefix / "stderr.log").open("ab"))
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.error_log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("nginx did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: open sockets are closed
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def hits(self) -> list[Hit]:
        out = []
        for line in self.access_log.read_text().splitlines():
            m = LOG_LINE.search(line)
            assert m, f"unexpected access log line: {line}"
            out.append(Hit(m["method"], m["path"], int(m["status"]), m["id"], m["upstream"]))
        return out

    def wait_nodes_of(self, interview_id: str, timeout: float = 3.0) -> set[str]:
        """`nodes_of` once nginx has logged a request of the interview (it writes the log
        line after the response, so a read right after a request may come too early)."""
        deadline = time.monotonic() + timeout
        while not (found := self.nodes_of(interview_id)) and time.monotonic() < deadline:
            time.sleep(0.05)
        return found

    def nodes_of(self, interview_id: str) -> set[str]:
        """The nodes that served the requests of one interview (a retried request would show
        two upstreams; a name not among the nodes fails the lookup)."""
        return {self.node_of[h.upstream] for h in self.hits() if h.interview_id == interview_id}


@dataclass
class Cluster:
    nodes: dict[str, Node]
    nginx: Nginx
    redis_url: str

    @property
    def url(self) -> str:
        return self.nginx.url

    def node_logs(self) -> str:
        return "\n".join(n.log_path.read_text() for n in self.nodes.values())


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    started = time.monotonic()
    redis = redis_url()
    nginx_binary()
    tmp = tmp_path_factory.mktemp("deploy")
    with postgres_schema("deploy") as (db, _):
        env = {"REDIS_URL": redis, "DATABASE_URL": db, "JWT_SECRET": JWT_SECRET,
               "ASR_WORKERS": "1", "ASR_THREADS": "1", "RESUME_GRACE_S": "3",
               "BCRYPT_ROUNDS": "4", "RECORDINGS_DIR": str(tmp / "recordings")}
        # info: the nodes log every request and every forwarded offer
        nodes = [Node(name, env, tmp, log_level="info") for name in ("deploy-a", "deploy-b")]
        proxy = Nginx(tmp / "nginx", nodes)
        try:
            for node in nodes:  # one after the other: the first migrates the fresh schema
                node.start()
            proxy.start()
            print(f"cluster up in {time.monotonic() - started:.1f} s")
            yield Cluster({n.name: n for n in nodes}, proxy, redis)
        finally:
            proxy.stop()
            for node in nodes:
                node.stop()


def create(cluster: Cluster) -> dict:
    r = httpx.post(f"{cluster.url}/api/interviews", json={}, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()


def interviews_per_node(cluster: Cluster, each: int) -> dict[str, list[dict]]:
    """New interviews (created through nginx), `each` of them on every node: which node one
    lands on is read from nginx's log after a request naming it (its room page)."""
    found: dict[str, list[dict]] = {name: [] for name in cluster.nodes}
    for _ in range(40):
        if all(len(v) >= each for v in found.values()):
            return {name: v[:each] for name, v in found.items()}
        interview = create(cluster)
        assert httpx.get(f"{cluster.url}/room/{interview['id']}", timeout=10).status_code == 200
        (node,) = cluster.nginx.wait_nodes_of(interview["id"])
        found[node].append(interview)
    raise AssertionError(f"40 interviews did not reach both nodes: {found}")


async def owner(cluster: Cluster, interview_id: str, timeout: float = 10) -> str:
    """The node Redis names as the owner of the live session."""
    client = aioredis.from_url(cluster.redis_url)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (holder := await client.get(f"owner:{interview_id}")) is not None:
                return holder.decode()
            await asyncio.sleep(0.1)
    finally:
        await client.aclose()
    raise AssertionError(f"no owner of {interview_id} in Redis")


async def wait_for_log(cluster: Cluster, interview_id: str, paths: set[str]) -> None:
    """nginx logs a socket when it closes: wait until every expected path is in the log."""
    deadline = time.monotonic() + 10
    while True:
        seen = {h.path for h in cluster.nginx.hits() if h.interview_id == interview_id}
        if paths <= seen or time.monotonic() > deadline:
            assert paths <= seen, f"{interview_id}: missing from the access log {paths - seen}"
            return
        await asyncio.sleep(0.2)


def test_requests_without_an_interview_are_balanced_and_the_host_passes_through(cluster):
    for _ in range(6):
        assert httpx.get(f"{cluster.url}/api/health", timeout=10).status_code == 200
    interview = create(cluster)
    health = [h for h in cluster.nginx.hits() if h.path == "/api/health"]
    assert {h.interview_id for h in health} == {""}
    assert {cluster.nginx.node_of[h.upstream] for h in health} == set(cluster.nodes)
    created = [h for h in cluster.nginx.hits() if h.method == "POST"]
    assert created[-1].path == "/api/interviews" and created[-1].interview_id == ""
    # the node saw nginx's Host: the room link and the socket's Origin check use it
    assert interview["room_url"].startswith(f"{cluster.url}/room/{interview['id']}")

    async def open_socket() -> dict:
        url = ws_url(cluster.url, interview["id"], interview["candidate_token"])
        async with websockets.connect(url, origin=cluster.url, open_timeout=10) as ws:
            return json.loads(await asyncio.wait_for(ws.recv(), 10))

    assert asyncio.run(open_socket())["type"] == "hello"


PER_INTERVIEW = (  # (method, path under the interview, expected statuses)
    ("GET", "/api/interviews/{id}?token={c}", {200}),
    ("GET", "/api/interviews/{id}/events?token={s}", {200}),
    ("GET", "/api/interviews/{id}/report?token={c}", {200, 409}),
    ("GET", "/api/interviews/{id}/recording?token={s}", {200, 404}),
    ("POST", "/api/interviews/{id}/spectate/webrtc?token={s}", {409, 422}),
    ("GET", "/spectate/{id}", {200}),
    ("GET", "/replay/{id}", {200}),
    ("GET", "/report/{id}", {200}),
)


async def touch_every_route(cluster: Cluster, interview: dict) -> dict:
    """Every HTTP route of one interview through nginx; the stored events."""
    events = {}
    async with httpx.AsyncClient(base_url=cluster.url, timeout=20) as http:
        for method, path, ok in PER_INTERVIEW:
            url = path.format(id=interview["id"], c=interview["candidate_token"],
                              s=interview["spectator_token"])
            r = await http.request(method, url, json={} if method == "POST" else None)
            assert r.status_code in ok, (url, r.status_code, r.text[:300])
            if "/events" in url:
                events = r.json()
    return events


async def test_each_interview_streams_on_one_node_and_the_interviews_use_both(cluster, jfk):
    started = time.monotonic()
    on = interviews_per_node(cluster, 2)
    samples, rate = jfk

    async def session(interview: dict) -> tuple[object, list[dict], str, dict]:
        spectator = asyncio.create_task(watch(spectate_url(
            cluster.url, interview["id"], interview["spectator_token"]), timeout=120))
        candidate = asyncio.create_task(stream_pcm(cluster.url, samples, rate,
                                                   interview=interview))
        holder = await owner(cluster, interview["id"])
        result, seen = await asyncio.gather(candidate, spectator)
        return result, seen, holder, await touch_every_route(cluster, interview)

    streamed = [(node, iv) for node, ivs in on.items() for iv in ivs]
    results = await asyncio.gather(*(session(iv) for _, iv in streamed))
    for (node, interview), (result, seen, holder, stored) in zip(streamed, results, strict=True):
        iid = interview["id"]
        finals = [e["text"] for e in result.events if e["type"] == "transcript.final"]
        assert finals, f"{iid}: no transcript.final through nginx"
        assert wer(JFK_TEXT, " ".join(finals)) <= 0.3, finals
        assert [e["text"] for e in seen if e["type"] == "transcript.final"] == finals
        assert [e["seq"] for e in stored["events"]] == list(range(1, len(stored["events"]) + 1))
        assert holder == node  # the node nginx chose is the session's owner
        await wait_for_log(cluster, iid, {
            f"/ws/interviews/{iid}/candidate", f"/ws/interviews/{iid}/spectate",
            f"/api/interviews/{iid}/events", f"/api/interviews/{iid}/report",
            f"/api/interviews/{iid}/spectate/webrtc", f"/room/{iid}", f"/report/{iid}"})
        assert cluster.nginx.nodes_of(iid) == {node}
    assert {node for node, _ in streamed} == set(cluster.nodes)
    assert "forwarded /api" not in cluster.node_logs()
    assert "elsewhere" not in cluster.node_logs()
    print(f"4 sessions through nginx in {time.monotonic() - started:.1f} s")


async def test_the_webrtc_offer_through_nginx_reaches_the_owner_and_is_not_forwarded(cluster):
    from tests.support.rtc import Candidate, PcmTrack, connect, poster, wait_until

    started = time.monotonic()
    on = interviews_per_node(cluster, 1)
    speech, rate = read_audio(JFK, rate=48000)

    async def session(interview: dict) -> tuple[list[dict], str]:
        audio = PcmTrack(speech, rate)
        async with Candidate(cluster, interview) as candidate:
            holder = await owner(cluster, interview["id"])
            pc = await connect(poster(cluster, interview), audio)  # 200 + answer, or it fails
            try:
                await wait_until(audio.finished.is_set, 40, "the speech to be sent")
                await asyncio.sleep(1.5)
                await candidate.ws.send(json.dumps({"type": "stop"}))
                await candidate.wait(lambda e: e.get("state") == "stopped", 60, "stopped")
            finally:
                await pc.close()
        return candidate.of("transcript.final"), holder

    results = await asyncio.gather(*(session(ivs[0]) for ivs in on.values()))
    for (node, (interview,)), (finals, holder) in zip(on.items(), results, strict=True):
        iid = interview["id"]
        text = " ".join(e["text"] for e in finals)
        assert wer(JFK_TEXT, text) <= 0.3, text
        assert holder == node
        await wait_for_log(cluster, iid, {f"/ws/interviews/{iid}/candidate",
                                          f"/api/interviews/{iid}/webrtc"})
        offers = [h for h in cluster.nginx.hits() if h.path == f"/api/interviews/{iid}/webrtc"]
        assert [h.status for h in offers] == [200]
        assert cluster.nginx.nodes_of(iid) == {node}
        # and the node's own access log agrees: the owner got the offer, the other node did not
        for name, other in cluster.nodes.items():
            got = f"POST /api/interviews/{iid}/webrtc" in other.log_path.read_text()
            assert got == (name == node), (name, node)
    # the server's own forwarding (server/http/webrtc.py logs "forwarded ...") never ran
    assert "forwarded /api" not in cluster.node_logs()
    print(f"2 WebRTC sessions through nginx in {time.monotonic() - started:.1f} s")


def test_compose_fills_the_template_and_wires_both_nodes_to_the_shared_services():
    """compose.yaml is not run here (no Docker engine): its wiring is checked instead."""
    import yaml

    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    proxy = services["nginx"]
    assert "./deploy/nginx.conf.template:/etc/nginx/templates/nginx.conf.template:ro" in (
        proxy["volumes"])
    env = {k: str(v) for k, v in proxy["environment"].items()}
    assert env["NGINX_ENVSUBST_OUTPUT_DIR"] == "/etc/nginx"
    names = set(PLACEHOLDER.findall(TEMPLATE.read_text()))
    assert all(re.search(env["NGINX_ENVSUBST_FILTER"], name) for name in names)
    conf = render(TEMPLATE.read_text(), env)  # every placeholder has a value
    nodes = {name: s for name, s in services.items() if name.startswith("node")}
    assert len(nodes) == 2
    for name, node in nodes.items():
        assert node["build"] == "."
        e = node["environment"]
        assert e["NODE_ID"] == name and e["NODE_URL"] == f"http://{name}:8000"
        assert e["REDIS_URL"].startswith("redis://redis:")
        assert e["DATABASE_URL"].startswith("postgresql+psycopg://") and "@postgres:" in (
            e["DATABASE_URL"])
        assert "JWT_SECRET" in e
        assert conf.count(f"server {name}:8000 ") == 2  # in both upstreams
