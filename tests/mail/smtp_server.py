"""A real SMTP server for the tests (aiosmtpd), on loopback.

Each accepted message is written whole to DIR as <n>-<random>.eml (to a temporary name, then
renamed, so a reader never sees half a file), with the envelope in X-Test-Envelope-* headers
prepended. Recipients listed with --reject get `550 5.1.1` at RCPT. Prints
"SMTP listening on PORT" once it accepts connections.

    python smtp_server.py --port 0 --dir /tmp/mail [--reject a@x.example,b@x.example]
"""

import argparse
import asyncio
import itertools
import os
import signal
import uuid

from aiosmtpd.smtp import SMTP


class Writer:
    def __init__(self, directory, reject):
        self.directory = directory
        self.reject = {r.lower() for r in reject}
        self.count = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = "%06d-%s.eml" % (next(self.count), uuid.uuid4().hex[:8])
        tmp = os.path.join(self.directory, "." + name + ".tmp")
        head = "X-Test-Envelope-From: %s\r\nX-Test-Envelope-To: %s\r\n" % (
            envelope.mail_from,
            ", ".join(envelope.rcpt_tos),
        )
        with open(tmp, "wb") as f:
            f.write(head.encode("ascii"))
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(self.directory, name))
        return "250 2.0.0 OK queued as %s" % name


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--reject", default="")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    handler = Writer(args.dir, [r for r in args.reject.split(",") if r])
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp.test", ident="threshold-test-smtp"),
        host="127.0.0.1",
        port=args.port,
    )
    port = server.sockets[0].getsockname()[1]
    print("SMTP listening on %d" % port, flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
