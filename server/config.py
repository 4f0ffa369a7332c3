"""Settings from the environment (with embedded defaults that need no services)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass
class Settings:
    database_url: str = field(
        default_factory=lambda: _env("DATABASE_URL", "sqlite:///data/interviews.db")
    )
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", ""))
    whisper_model: str = field(default_factory=lambda: _env("WHISPER_MODEL", "tiny.en"))
    asr_workers: int = field(default_factory=lambda: int(_env("ASR_WORKERS", "2")))
    # the share of one worker's time partial transcripts may take (finals are never held)
    asr_partial_duty: float = field(
        default_factory=lambda: float(_env("ASR_PARTIAL_DUTY", "0.5"))
    )
    asr_threads: int = field(default_factory=lambda: int(_env("ASR_THREADS", "1")))
    asr_beam_size: int = field(default_factory=lambda: int(_env("ASR_BEAM_SIZE", "1")))
    asr_max_backlog_s: float = field(
        default_factory=lambda: float(_env("ASR_MAX_BACKLOG_S", "120"))
    )
    node_id: str = field(
        default_factory=lambda: _env("NODE_ID", f"{socket.gethostname()}-{os.getpid()}")
    )
    # this node's address as the other nodes reach it (e.g. http://10.0.0.5:8000): a WebRTC
    # offer that reaches another node is forwarded here when this node runs the session
    node_url: str = field(default_factory=lambda: _env("NODE_URL", ""))
    owner_ttl_s: float = field(default_factory=lambda: float(_env("OWNER_TTL_S", "15")))
    spectator_video_max: int = field(
        default_factory=lambda: int(_env("SPECTATOR_VIDEO_MAX", "4"))
    )
    vision_workers: int = field(default_factory=lambda: int(_env("VISION_WORKERS", "1")))
    # frames of different sessions in flight per vision worker process
    vision_inflight: int = field(default_factory=lambda: int(_env("VISION_INFLIGHT", "3")))
    # face analyses per second shared by all cameras of the node (each gets at most 5, at least
    # 1.5); ~15 ms of a core each (0: no budget)
    vision_budget_fps: float = field(
        default_factory=lambda: float(_env("VISION_BUDGET_FPS", "16"))
    )
    # camera frames are analysed in worker processes (0: on threads of the server's process)
    vision_processes: bool = field(
        default_factory=lambda: _env("VISION_PROCESSES", "1") not in ("0", "false", "no")
    )
    public_url: str = field(default_factory=lambda: _env("PUBLIC_URL", ""))
    groq_api_key: str = field(default_factory=lambda: _env("GROQ_API_KEY", ""))
    groq_model: str = field(default_factory=lambda: _env("GROQ_MODEL", "llama-3.3-70b-versatile"))
    groq_base_url: str = field(default_factory=lambda: _env("GROQ_BASE_URL", ""))
    # live turn-taking: silence that ends an answer, the longer one after a thinking phrase or
    # an unfinished sentence, and the cap of one answer (seconds)
    answer_pause_s: float = field(default_factory=lambda: float(_env("ANSWER_PAUSE_S", "4.0")))
    thinking_pause_s: float = field(
        default_factory=lambda: float(_env("THINKING_PAUSE_S", "12.0")))
    answer_max_s: float = field(default_factory=lambda: float(_env("ANSWER_MAX_S", "180")))
    # a candidate who drops keeps their session this long (then it is abandoned)
    resume_grace_s: float = field(default_factory=lambda: float(_env("RESUME_GRACE_S", "60")))
    # with approve_follow_ups: how long a follow-up waits for a recruiter's decision
    follow_up_approval_timeout_s: float = field(
        default_factory=lambda: float(_env("FOLLOW_UP_APPROVAL_TIMEOUT_S", "20"))
    )
    # session recordings (<dir>/<interview id>.webm); empty = recording disabled
    recordings_dir: str = field(default_factory=lambda: _env("RECORDINGS_DIR", "data/recordings"))
    # accounts: the HS256 key of access tokens; unset = generated once and kept in
    # JWT_SECRET_FILE (default: `jwt_secret` next to the SQLite file, else data/jwt_secret)
    jwt_secret: str = field(default_factory=lambda: _env("JWT_SECRET", ""))
    jwt_secret_file: str = field(default_factory=lambda: _env("JWT_SECRET_FILE", ""))
    jwt_expires_min: int = field(
        default_factory=lambda: int(_env("JWT_EXPIRES_MIN", str(60 * 24)))
    )
    bcrypt_rounds: int = field(default_factory=lambda: int(_env("BCRYPT_ROUNDS", "12")))
    # HTTP request bodies larger than this are refused with 413 while they are read
    max_body_bytes: int = field(
        default_factory=lambda: int(_env("MAX_BODY_BYTES", str(1024 * 1024)))
    )
    # bcrypt runs in its own pool of this many threads (1-2), never in the default one
    bcrypt_threads: int = field(default_factory=lambda: int(_env("BCRYPT_THREADS", "1")))
    # rate limits (server/accounts/throttle.py), in the `limits` notation "N/second|minute|hour
    # |day", several joined by ";". Login: attempts per client address, failures per account
    login_rate_per_ip: str = field(default_factory=lambda: _env("LOGIN_RATE_PER_IP", "30/minute"))
    login_failures_per_account: str = field(
        default_factory=lambda: _env("LOGIN_FAILURES_PER_ACCOUNT", "10/minute")
    )
    # registrations per client address, attempts per email or username
    register_rate_per_ip: str = field(
        default_factory=lambda: _env("REGISTER_RATE_PER_IP", "20/hour")
    )
    register_rate_per_account: str = field(
        default_factory=lambda: _env("REGISTER_RATE_PER_ACCOUNT", "5/hour")
    )
    # a client that keeps trying while limited waits twice as long each time, up to this
    rate_limit_max_backoff_s: int = field(
        default_factory=lambda: int(_env("RATE_LIMIT_MAX_BACKOFF_S", "900"))
    )
    # interviews created without logging in: per client address, and on the whole server
    anon_interviews_per_ip: str = field(
        default_factory=lambda: _env("ANON_INTERVIEWS_PER_IP", "20/hour")
    )
    anon_interviews_total: str = field(
        default_factory=lambda: _env("ANON_INTERVIEWS_TOTAL", "500/hour")
    )
    # live interviews at once from one client address, and on this node (then 4429 / 4503)
    live_sessions_per_ip: int = field(
        default_factory=lambda: int(_env("LIVE_SESSIONS_PER_IP", "4"))
    )
    max_live_sessions: int = field(default_factory=lambda: int(_env("MAX_LIVE_SESSIONS", "32")))
    # admission of a new session by measured load (`server.ops.load`): refused (4503 busy
    # retry=N) when the event loop lags, the ASR backlog grows or the CPU would not fit
    admit_max_loop_lag_s: float = field(
        default_factory=lambda: float(_env("ADMIT_MAX_LOOP_LAG_S", "0.15")))
    admit_max_asr_backlog_s: float = field(
        default_factory=lambda: float(_env("ADMIT_MAX_ASR_BACKLOG_S", "6")))
    admit_max_cpu_share: float = field(
        default_factory=lambda: float(_env("ADMIT_MAX_CPU_SHARE", "0.9")))
    # browser origins allowed on the sockets besides the server's own ("*" = any)
    allowed_origins: list[str] = field(
        default_factory=lambda: [
            o.strip().rstrip("/") for o in _env("ALLOWED_ORIGINS", "").split(",") if o.strip()
        ]
    )
