"""``mock-orcid serve``: start the mock on its defaults or as told."""
from __future__ import annotations

import argparse
import logging
import sys

from .settings import Settings


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
    serve.add_argument("--allowed-hosts", help="comma-separated host names, besides localhost, IP "
                       "addresses and the base URL's host, that may reach /__admin ('*': any)")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env(host=args.host, port=args.port, base_url=args.base_url,
                                 registry_url=args.registry_url, fixtures=args.fixtures,
                                 seed=args.seed, allowed_hosts=args.allowed_hosts)
    from .server import RunningServer
    server = RunningServer(settings)
    print("mock-orcid listening on http://%s:%d (base URL %s)"
          % (settings.host, server.port, server.url), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
