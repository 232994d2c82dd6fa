"""``mock-orcid serve``: start the mock on its defaults or as told."""
from __future__ import annotations

import argparse
import logging
import signal
import sys

from . import __version__
from .settings import LOG_LEVELS, Settings, non_negative_int, positive_seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="mock-orcid", description="A local mock of the ORCID registry")
    parser.add_argument("--version", action="version", version="mock-orcid %s" % __version__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server (flags default to MOCK_ORCID_* variables)")
    serve.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8080; 0 picks a free one)")
    serve.add_argument("--base-url", help="URL clients use to reach this server; appears in "
                       "Location headers and OAuth metadata (default http://HOST:PORT)")
    serve.add_argument("--registry-url", help="URL naming iDs and clients in bodies "
                       "(default https://sandbox.orcid.org, as ORCID's schema requires)")
    serve.add_argument("--fixtures", help="JSON file of users and clients to load (and reset to)")
    serve.add_argument("--seed", type=int, help="seed for generated data (default 1)")
    serve.add_argument("--webhook-interval", type=_seconds, metavar="SECONDS",
                       help="seconds between webhook dispatch passes (default 1)")
    serve.add_argument("--allowed-hosts", help="comma-separated host names, besides localhost, IP "
                       "addresses and the base URL's host, that may reach /__admin ('*': any)")
    serve.add_argument("--max-body-bytes", type=int, help="larger request bodies are refused "
                       "with 413 before they are read (default 8388608, 8 MiB)")
    serve.add_argument("--connection-limit", type=int, help="open connections at most; at the "
                       "limit the longest-idle keep-alive connection is closed (default 1000)")
    serve.add_argument("--idle-timeout", type=int, help="seconds an idle keep-alive connection "
                       "is kept open (default 30)")
    serve.add_argument("--log-level", choices=LOG_LEVELS, help="stderr logging: an access "
                       "line per request at info (default info)")
    serve.add_argument("--journal-size", type=_count, metavar="N",
                       help="requests kept in the journal, GET /__admin/requests (default 1000)")
    serve.add_argument("--rate-limit", action="store_true", default=None,
                       help="emulate ORCID's published API limits (503 past the burst)")
    args = parser.parse_args(argv)

    settings = Settings.from_env(host=args.host, port=args.port, base_url=args.base_url,
                                 registry_url=args.registry_url, fixtures=args.fixtures,
                                 seed=args.seed, webhook_interval=args.webhook_interval,
                                 allowed_hosts=args.allowed_hosts,
                                 max_body_bytes=args.max_body_bytes,
                                 connection_limit=args.connection_limit,
                                 idle_timeout=args.idle_timeout,
                                 log_level=args.log_level, journal_size=args.journal_size,
                                 rate_limit=args.rate_limit)
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Stopped while still starting (docker stop right after docker run): a clean exit too.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _exit_cleanly)
    from .server import RunningServer
    from .state import FixturesError
    try:
        server = RunningServer(settings)
    except FixturesError as exc:
        print("mock-orcid: %s" % exc, file=sys.stderr)
        return 2
    server.install_signal_handlers()
    print("mock-orcid listening on http://%s:%d (base URL %s)"
          % (settings.host, server.port, server.url), flush=True)
    for line in server.summary():
        logging.getLogger("mock_orcid").info("%s", line)
    server.serve_forever(handle_signals=False)   # returns after SIGTERM or SIGINT (Ctrl-C)
    return 0


def _seconds(text: str) -> float:
    try:
        return positive_seconds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _exit_cleanly(_signum, _frame):
    raise SystemExit(0)


def _count(text: str) -> int:
    try:
        return non_negative_int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


if __name__ == "__main__":
    sys.exit(main())
