#!/usr/bin/python3
"""A real SMTP server for the reminder tests (Debian's python3-aiosmtpd).

It listens on 127.0.0.1, offers what it is told to (STARTTLS required,
TLS from the first byte, or nothing), requires AUTH when given a user and
password, and writes each message it takes to DIR/NNNNNN.json (envelope,
data, and whether the session was encrypted and logged in), renamed into
place so a reader never sees half a message. It prints "READY <port>" once
it answers, and runs until killed.

    smtp_server.py --dir DIR --mode starttls|tls|plain
        [--cert C --key K] [--user U --password P]
        [--refuse ADDRESS]...   answer 550 to RCPT TO:<ADDRESS>
        [--stop-after N]        answer 451 to every message after the Nth
"""

import argparse
import json
import logging
import os
import socket
import ssl
import sys
import threading
import time
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, directory, refuse, stop_after):
        self.directory = directory
        self.refuse = {a.lower() for a in refuse}
        self.stop_after = stop_after
        self.taken = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.stop_after is not None and self.taken >= self.stop_after:
                return "451 4.3.0 try again later"
            self.taken += 1
            n = self.taken
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
            # Set for STARTTLS and for TLS from the first byte alike.
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "authenticated": bool(session.authenticated),
        }
        path = os.path.join(self.directory, "%06d.json" % n)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    # aiosmtpd warns of its own deprecated attributes on every login.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--mode", choices=["starttls", "tls", "plain"], required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--refuse", action="append", default=[])
    ap.add_argument("--stop-after", type=int)
    args = ap.parse_args()

    context = None
    if args.mode != "plain":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == args.user
            and auth_data.password.decode() == args.password
        )
        return AuthResult(success=ok)

    params = {}
    if args.user:
        params.update(
            authenticator=authenticator,
            auth_required=True,
            # Only STARTTLS mode makes AUTH wait for TLS: plain mode takes
            # it in clear (the test of "plaintext only when configured"),
            # and aiosmtpd does not count implicit TLS as TLS for AUTH.
            auth_require_tls=args.mode == "starttls",
        )
    if args.mode == "starttls":
        params.update(tls_context=context, require_starttls=True)
    handler = Handler(args.dir, args.refuse, args.stop_after)
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        ssl_context=context if args.mode == "tls" else None,
        server_hostname="localhost",
        **params,
    )
    controller.start()
    print("READY %d" % port, flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
