"""`interview-server`: run the server with uvicorn."""

from __future__ import annotations

import argparse
import os

import uvicorn

from media.frames import MAX_MESSAGE_BYTES
from server.ops.logs import configure_logging


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Real-time interview streaming server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    # one handler for every logger, uvicorn's too (log_config=None), in the redacted format
    configure_logging(args.log_level, os.environ.get("LOG_FORMAT", "text"))
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        ws="websockets",
        ws_max_size=MAX_MESSAGE_BYTES,
        log_level=args.log_level,
        log_config=None,
    )


if __name__ == "__main__":
    main()
