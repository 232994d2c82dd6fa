"""``mock-orcid serve``: start the mock on its defaults or as told."""
from __future__ import annotations

import argparse
import logging
import sys

from .settings import Settings, positive_seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="mock-orcid", description="A local mock of the ORCID registry")
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
    _add_export(sub)
    args = parser.parse_args(argv)
    if args.command == "export":
        return _export(args)

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env(host=args.host, port=args.port, base_url=args.base_url,
                                 registry_url=args.registry_url, fixtures=args.fixtures,
                                 seed=args.seed, webhook_interval=args.webhook_interval)
    from .server import RunningServer
    server = RunningServer(settings)
    print("mock-orcid listening on http://%s:%d (base URL %s)"
          % (settings.host, server.port, server.url), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
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


if __name__ == "__main__":
    sys.exit(main())
