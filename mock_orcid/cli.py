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
    serve.add_argument("--fixtures", metavar="PATH", help="fixtures file or folder: users with "
                       "their items, clients, tokens (loaded at start and on reset; "
                       "`mock-orcid fixtures schema` prints its JSON Schema)")
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
    serve.add_argument("--state-file", metavar="PATH", help="keep the state in this SQLite file: "
                       "every write is on disk before its answer, replayed on start "
                       "(default: in memory only)")
    _add_fixtures_commands(sub)
    _add_export(sub)
    args = parser.parse_args(argv)
    if args.command == "fixtures":
        return args.run(args)
    if args.command == "export":
        return _export(args)

    settings = Settings.from_env(host=args.host, port=args.port, base_url=args.base_url,
                                 registry_url=args.registry_url, fixtures=args.fixtures,
                                 seed=args.seed, webhook_interval=args.webhook_interval,
                                 allowed_hosts=args.allowed_hosts,
                                 max_body_bytes=args.max_body_bytes,
                                 connection_limit=args.connection_limit,
                                 idle_timeout=args.idle_timeout,
                                 log_level=args.log_level, journal_size=args.journal_size,
                                 rate_limit=args.rate_limit, state_file=args.state_file)
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Stopped while still starting (docker stop right after docker run): a clean exit too.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _exit_cleanly)
    from .server import RunningServer
    from .harness.fixtures import FixtureError
    from .harness.persistence import StateFileError
    try:
        server = RunningServer(settings)
    except (FixtureError, StateFileError) as exc:
        # A bad fixture or state file: say which value, never a traceback.
        print("mock-orcid: %s" % exc, file=sys.stderr)
        return 2
    server.install_signal_handlers()
    print("mock-orcid listening on http://%s:%d (base URL %s)"
          % (settings.host, server.port, server.url), flush=True)
    for line in server.summary():
        logging.getLogger("mock_orcid").info("%s", line)
    server.serve_forever(handle_signals=False)   # returns after SIGTERM or SIGINT (Ctrl-C)
    return 0


def _add_fixtures_commands(sub) -> None:
    fixtures = sub.add_parser("fixtures", help="the fixtures file: its JSON Schema, export")
    commands = fixtures.add_subparsers(dest="fixtures_command", required=True)
    schema = commands.add_parser("schema", help="print the JSON Schema of a fixtures file")
    schema.set_defaults(run=_fixtures_schema)
    check = commands.add_parser("check", help="load a fixtures file or folder and report")
    check.add_argument("path")
    check.set_defaults(run=_fixtures_check)
    export = commands.add_parser("export", help="write a running mock's state as a fixtures "
                                 "folder (DIR/fixtures.json + DIR/items/...)")
    export.add_argument("dir")
    export.add_argument("--url", help="the running mock (default MOCK_ORCID_BASE_URL or "
                        "http://127.0.0.1:8080)")
    export.set_defaults(run=_fixtures_export)


def _fixtures_schema(args) -> int:
    import json
    from .harness.fixtures.schema import SCHEMA
    print(json.dumps(SCHEMA, indent=2))
    return 0


def _fixtures_check(args) -> int:
    from .harness.fixtures import FixtureError, load
    from .registry.store import Registry
    registry = Registry()
    try:
        with registry.lock:
            counts = load(registry, args.path)
    except FixtureError as exc:
        print("mock-orcid: %s" % exc, file=sys.stderr)
        return 2
    print("%s: %d users, %d items, %d clients, %d tokens"
          % (args.path, counts["users"], counts["items"], counts["clients"], counts["tokens"]))
    return 0


def _fixtures_export(args) -> int:
    import json
    import os
    import urllib.error
    import urllib.request
    from .harness.fixtures.export import write_folder
    base = (args.url or os.environ.get("MOCK_ORCID_BASE_URL") or "http://127.0.0.1:8080").rstrip("/")
    try:
        with urllib.request.urlopen(base + "/__admin/fixtures", timeout=60) as resp:
            document = json.loads(resp.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print("mock-orcid: cannot read %s/__admin/fixtures: %s" % (base, exc), file=sys.stderr)
        return 2
    counts = write_folder(document, args.dir)
    print("wrote %s: %d users, %d items, %d clients, %d tokens"
          % (args.dir, counts["users"], counts["items"], counts["clients"], counts["tokens"]))
    return 0


def _add_export(sub) -> None:
    export = sub.add_parser("export", help="write ORCID's bulk files from a running mock")
    kinds = export.add_subparsers(dest="kind", required=True)
    url_help = ("the running mock to read (default $MOCK_ORCID_BASE_URL, else "
                "http://127.0.0.1:8080)")
    lambda_file = kinds.add_parser("lambda-file", help="last_modified.csv.tar, as served")
    lambda_file.add_argument("file", help="where to write it (a directory gets the file's name)")
    lambda_file.add_argument("--url", help=url_help)
    data_file = kinds.add_parser("public-data-file", help="ORCID_YYYY_10_summaries.tar.gz and "
                                 "ORCID_YYYY_10_activities_{0..9,X}.tar.gz")
    data_file.add_argument("dir", help="directory to write the twelve archives into")
    data_file.add_argument("--year", type=int, help="the YYYY in the names (default this year)")
    data_file.add_argument("--url", help=url_help)


def _export(args) -> int:
    from .sync.exports.bucket_reader import ExportError
    from .sync.exports.commands import export_lambda_file, export_public_data_file
    try:
        if args.kind == "lambda-file":
            paths = [export_lambda_file(args.file, args.url)]
        else:
            paths = export_public_data_file(args.dir, args.year, args.url)
    except ExportError as exc:
        print("mock-orcid export: %s" % exc, file=sys.stderr)
        return 1
    for path in paths:
        print(path)
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
