"""What the webhook dispatcher costs, against the bare HTTP calls it makes.

    python benchmarks/bench_webhooks.py [--calls 1000]

Prints, each with its ratio to a baseline measured in the same run:
  * a dispatch pass that calls N callbacks (N records, one change each) against N bare POSTs
    to the same sink with the same client (the dispatcher's own urllib3 Poster): the scheduler's
    overhead per call;
  * an idle pass over N registrations with nothing due (what every tick costs);
  * N record writes with the dispatcher listening against the same writes without it.

The sink (a threaded http.server answering 204) runs in its own process, so it does not share
this process's GIL. Numbers depend on the machine and its load; compare ratios.
"""
from __future__ import annotations

import argparse
import multiprocessing
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from mock_orcid.registry.store import Registry
from mock_orcid.sync.webhooks.delivery import Poster
from mock_orcid.sync.webhooks.dispatcher import WebhookDispatcher


def _serve(port_out) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_out.put(server.server_address[1])
    server.serve_forever()


def _registry(records: int) -> tuple[Registry, list[str]]:
    registry = Registry()
    registry.create_client(client_id="APP-BENCH", type="premium")
    orcids = [registry.create_user().orcid for _ in range(records)]
    return registry, orcids


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    n = parser.parse_args().calls

    ports = multiprocessing.Queue()
    sink = multiprocessing.Process(target=_serve, args=(ports,), daemon=True)
    sink.start()
    url = "http://127.0.0.1:%d/cb" % ports.get(timeout=10)
    try:
        poster = Poster()
        for _ in range(20):                          # warm up the sink and the client
            poster.post(url)
        registry, orcids = _registry(n)
        dispatcher = WebhookDispatcher(registry, interval=60)
        registry.subscribe(dispatcher)
        for orcid in orcids:
            registry.webhooks.register(orcid, url + "?" + orcid, "APP-BENCH")

        def one_pass():
            for orcid in orcids:
                registry.update_record(orcid, biography="changed")
            t0 = time.perf_counter()
            result = dispatcher.run_pass()
            elapsed = time.perf_counter() - t0
            assert len(result.delivered) == n and all(d.outcome == "sent" for d in result.delivered)
            return elapsed

        # Interleaved rounds, best of three each: the machine's load moves both alike.
        baseline, calling = float("inf"), float("inf")
        for _ in range(3):
            baseline = min(baseline, timed(lambda: [poster.post(url) for _ in range(n)]))
            calling = min(calling, one_pass())
        idle = min(timed(dispatcher.run_pass) for _ in range(5))

        plain, _ = _registry(0)
        plain_ids = [plain.create_user().orcid for _ in range(n)]
        without = timed(lambda: [plain.update_record(o, biography="x") for o in plain_ids])
        with_listener = timed(lambda: [registry.update_record(o, biography="y") for o in orcids])
    finally:
        sink.terminate()

    print("webhook dispatch, %d callbacks (sink in its own process)" % n)
    print("  baseline: %d bare POSTs            %7.3f s  %6.0f calls/s" % (n, baseline, n / baseline))
    print("  one pass calling %d callbacks      %7.3f s  %6.0f calls/s  ratio %.2f"
          % (n, calling, n / calling, calling / baseline))
    print("  idle pass over %d registrations    %7.4f s  (%.1f µs per registration)"
          % (n, idle, idle / n * 1e6))
    print("  %d record writes without listener  %7.3f s" % (n, without))
    print("  %d record writes, dispatcher heard %7.3f s  ratio %.2f"
          % (n, with_listener, with_listener / without))


if __name__ == "__main__":
    main()
