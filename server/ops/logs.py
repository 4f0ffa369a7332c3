"""Log formats (text, or one JSON object per line with LOG_FORMAT=json), both redacted: no
token, JWT, Authorization value or password in a URL ever reaches a log line, whichever
logger wrote it (uvicorn's access and socket lines carry the query strings of the URLs)."""

from __future__ import annotations

import json
import logging
import re

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

_VALUE = r"[^&\s\"'\\#,;]+"
_REDACTIONS: list[tuple[re.Pattern[str], str]] = [
    # query parameters and key=value pairs: ?token=, &access_token=, candidate_token=, ...
    (re.compile(rf"(?i)\b([\w-]*token=){_VALUE}"), r"\1***"),
    (re.compile(rf"(?i)\b((?:password|passwd|secret|api_key|apikey)=){_VALUE}"), r"\1***"),
    # Authorization headers, in any notation: "Authorization: Bearer x", {'authorization': ..}
    (re.compile(r"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?)(?:(bearer|basic|token)\s+)?"
                r"[^\s\"'\\,;]+"),
     lambda m: f"{m[1]}{m[2] + ' ' if m[2] else ''}***"),
    (re.compile(r"(?i)\b(bearer\s+)[\w.~+/=-]+"), r"\1***"),
    # any JWT
    (re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]+"), "***"),
    # passwords in URLs: scheme://user:password@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s\"'\\]*:)[^@\s/\"'\\]+@"), r"\1***@"),
]


def redact(text: str) -> str:
    """`text` with every token, JWT, Authorization value and URL password replaced by ***."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class TextFormatter(logging.Formatter):
    """The text format, redacted (the message, the exception and everything else)."""

    def __init__(self, fmt: str = TEXT_FORMAT) -> None:
        super().__init__(fmt)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per log line (LOG_FORMAT=json), redacted."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for key in ("session_id", "node"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry)


def configure_logging(level: str, fmt: str = "text") -> None:
    """The root logger's one handler (stderr) in `fmt` ("text" or "json"), for every logger
    and Python's warnings: run uvicorn with `log_config=None` so that its access and error
    lines come here too."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    logging.captureWarnings(True)  # Python's warnings too, as log lines of this format
