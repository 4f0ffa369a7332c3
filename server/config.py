"""Settings from the environment (with embedded defaults that need no services)."""

from __future__ import annotations

import os
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
    asr_workers: int = field(default_factory=lambda: int(_env("ASR_WORKERS", "1")))
    asr_threads: int = field(default_factory=lambda: int(_env("ASR_THREADS", "2")))
    asr_beam_size: int = field(default_factory=lambda: int(_env("ASR_BEAM_SIZE", "1")))
    asr_max_backlog_s: float = field(
        default_factory=lambda: float(_env("ASR_MAX_BACKLOG_S", "120"))
    )
    vision_workers: int = field(default_factory=lambda: int(_env("VISION_WORKERS", "1")))
    public_url: str = field(default_factory=lambda: _env("PUBLIC_URL", ""))
    groq_api_key: str = field(default_factory=lambda: _env("GROQ_API_KEY", ""))
    groq_model: str = field(default_factory=lambda: _env("GROQ_MODEL", "llama-3.3-70b-versatile"))
    groq_base_url: str = field(default_factory=lambda: _env("GROQ_BASE_URL", ""))
