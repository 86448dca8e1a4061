"""A local SMTP server that accepts every message and logs it, for the benchmarks.

Usage: python smtp_sink.py --port 8112 --out received.tsv

Each message accepted is one line of ``out``: its Message-ID, a tab, its
recipients (comma-separated). The line is written and flushed before the
server answers 250, so a message the client never heard accepted is still
counted. Stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import threading
from email.parser import BytesHeaderParser
from typing import Any

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, path: str) -> None:
        self.out = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the server's life
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        headers = BytesHeaderParser().parsebytes(envelope.content)
        line = f"{headers.get('Message-ID', '').strip()}\t{','.join(envelope.rcpt_tos)}\n"
        with self.lock:
            self.out.write(line)
            self.out.flush()
        return "250 Message accepted"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    controller = Controller(Recorder(args.out), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"SMTP sink listening on 127.0.0.1:{args.port}", flush=True)
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
