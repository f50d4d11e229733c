"""``python -m sheetbot.fake_google [--port 8765]``: serve an empty fake until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import threading

from .core import FakeGoogle
from .transports import serve


def main(argv: list[str] | None = None, fake: FakeGoogle | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the fake Google Sheets/Drive API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    fake = fake or FakeGoogle()
    with serve(fake, args.host, args.port) as root:
        print(f"fake Google API at {root} (Ctrl-C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
