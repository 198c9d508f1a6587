# SPDX-License-Identifier: MIT
"""smtp_sink.py — a real SMTP server on 127.0.0.1 (aiosmtpd, Debian's
python3-aiosmtpd, run with /usr/bin/python3) that writes every message it
accepts to DIR/NNNN.eml and prints its port on the first line of stdout.
A recipient matching --refuse gets a permanent 550 at RCPT.

Usage: /usr/bin/python3 smtp_sink.py DIR [--port P] [--refuse REGEX]
       [--delay SECONDS]
"""

import argparse
import os
import re
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder, refuse, delay=0.0):
        self.folder = folder
        self.delay = delay
        self.refuse = re.compile(refuse) if refuse else None
        self.n = len(os.listdir(folder))
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.refuse and self.refuse.search(address):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            import asyncio
            await asyncio.sleep(self.delay)
        with self.lock:
            self.n += 1
            name = os.path.join(self.folder, "%04d.eml" % self.n)
        with open(name + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(name + ".tmp", name)
        return "250 Message accepted for delivery"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--refuse")
    ap.add_argument("--delay", type=float, default=0.0,
                    help="seconds before each message is accepted")
    a = ap.parse_args()
    os.makedirs(a.folder, exist_ok=True)
    port = a.port
    if port == 0:
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
    c = Controller(Sink(a.folder, a.refuse, a.delay), hostname="127.0.0.1", port=port)
    c.start()
    print(port, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *x: done.set())
    signal.signal(signal.SIGINT, lambda *x: done.set())
    done.wait()
    c.stop()


if __name__ == "__main__":
    sys.exit(main())
