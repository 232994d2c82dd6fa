"""Serving stacks compared (issue 16): the same WSGI apps on waitress (as mock-orcid configures
it), granian and gunicorn, in one run, alternating rounds.

    pip install -e ".[bench]"        # granian and gunicorn (benchmark only)
    python benchmarks/bench_servers.py [--seconds 2] [--rounds 3] [--threads 4]
                                       [--server-threads 8] [--client python|wrk]
                                       [--stacks waitress,granian,gunicorn] [--only TEXT]

Stacks, each in a process of its own, with as many request threads as mock-orcid's default
(``Settings.threads``):
- ``waitress``: mock-orcid's own serving code (``mock_orcid.server.RunningServer``: body cap,
  connection limit, idle timeout, clean SIGTERM), the app swapped for the bare one;
- ``granian``: its WSGI interface, one worker (one process serving; granian's own supervisor
  process beside it), ``--blocking-threads`` = the threads;
- ``gunicorn``: the ``gthread`` worker, one worker, ``--threads`` = the threads;
- ``waitress-plain`` (only when named in ``--stacks``): ``waitress.create_server`` untouched.

Apps:
- bare Flask: GET 1 KB of fixed bytes; GET the very bytes mock-orcid answers for a 100-work
  ``/works`` in JSON (about 126 KB); POST the client-credentials form, answered with the bytes of
  a token answer (the body is read, as the mock reads it);
- mock-orcid's WSGI app (``MockState`` + ``create_app``, as ``RunningServer`` builds it; schema
  sets loaded and ``gc.freeze()`` as it does): a repeated (cached) GET ``/v3.0/{orcid}/works``
  of 100 works with a member token, and POST ``/oauth/token`` client_credentials for the
  fixture client APP-MOCKMEMBER000001.

For every scenario the stacks take turns, round after round (the order rotates each round).
The load comes from one client process: with ``--client python`` (default) the keep-alive
``http.client`` threads of ``bench_read_path.py``; with ``--client wrk``, wrk (a C client, so
that the client is not what limits a fast server) with one connection per client thread.
Printed: requests/s (median of rounds), p50, p99, the server's CPU time per request (the
process and its children, from /proc: the least noisy figure on a shared machine), and ratios
against waitress for the same app and scenario, measured in the same run; mock-orcid rows also
against waitress serving the bare app the same bytes. Linux only (/proc).
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
CLIENT_ID, CLIENT_SECRET = "APP-MOCKMEMBER000001", "mock-member-secret"
SCOPES = ("/read-limited", "/activities/update", "/person/update")
JSON = "application/vnd.orcid+json"
TOKEN_FORM = urlencode({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                        "grant_type": "client_credentials", "scope": "/read-public"})
FORM = "application/x-www-form-urlencoded"
# What the stacks are told through the environment (granian and gunicorn import this module).
ENV_INFO, ENV_PORT, ENV_BODIES = "BENCH_SERVERS_INFO", "BENCH_SERVERS_PORT", "BENCH_SERVERS_BODIES"


# --------------------------------------------------------------------------- the apps
def bare_app(ready: bool = True):
    """A bare Flask app answering fixed bytes (read from the file named by BENCH_SERVERS_BODIES)."""
    from flask import Flask, Response, request

    bodies = json.loads(Path(os.environ[ENV_BODIES]).read_text())
    answers = {name: (b["content_type"], b["body"].encode()) for name, b in bodies.items()}
    app = Flask("bare")

    @app.route("/bare/<name>", methods=["GET", "POST"])
    def answer(name):
        request.get_data()                      # read the body, as the mock does
        content_type, body = answers[name]
        return Response(body, content_type=content_type)

    @app.get("/health")
    def health():
        return {"status": "ok"}

    if ready:
        _ready({})
    return app


def mock_app():
    """mock-orcid's WSGI app built as RunningServer builds it, seeded with a record of 100
    works and a member token for it; what was seeded goes to the BENCH_SERVERS_INFO file."""
    import gc

    from mock_orcid.settings import Settings
    from mock_orcid.state import MockState
    from mock_orcid.web.app import create_app
    from mock_orcid.wire import schemas

    state = MockState(Settings(host="127.0.0.1", port=int(os.environ[ENV_PORT])))
    app = create_app(state=state)
    for name in schemas.SET_NAMES:              # RunningServer loads them before serving too
        schemas.schema(name)
    _ready(_seed(app, state))
    gc.freeze()                                 # as RunningServer does once loaded
    return app


def _seed(app, state) -> dict:
    """A record with 100 works (one bulk POST through the app) and a member token for it."""
    from bench_read_path import WORK_XML

    reg = state.registry
    rec = reg.create_user(given_names="Bench", family_name="Servers")
    token = reg.issue_token(CLIENT_ID, rec.orcid, SCOPES).access_token
    works = "".join(WORK_XML.split("?>", 1)[1].replace("%s", "").format(n=n, tag="servers")
                    for n in range(100))
    body = '<bulk:bulk xmlns:bulk="http://www.orcid.org/ns/bulk">%s</bulk:bulk>' % works
    xml = "application/vnd.orcid+xml"
    resp = app.test_client().post("/v3.0/%s/works" % rec.orcid, data=body.encode(),
                                  headers={"Authorization": "Bearer " + token,
                                           "Content-Type": xml, "Accept": xml})
    assert resp.status_code == 200 and b"<error:error" not in resp.data, resp.data[:300]
    return {"orcid": rec.orcid, "token": token}


def _ready(info: dict) -> None:
    path = os.environ.get(ENV_INFO)
    if path:
        Path(path).write_text(json.dumps(info))


def serve_waitress(app_name: str, plain: bool) -> None:
    """``--serve``: the waitress stacks, in this (the server's) process, until SIGTERM."""
    port = int(os.environ[ENV_PORT])
    if plain:
        import threading

        from waitress.server import create_server
        app = bare_app() if app_name == "bare" else mock_app()
        server = create_server(app, host="127.0.0.1", port=port, threads=_threads(),
                               clear_untrusted_proxy_headers=True)
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        threading.Thread(target=server.run, daemon=True).start()
        signal.pause()
        return

    import mock_orcid.server as server_module
    from mock_orcid.settings import Settings
    settings = Settings(host="127.0.0.1", port=port, threads=_threads())
    if app_name == "bare":
        # mock-orcid's serving code exactly as shipped, serving the bare app instead.
        server_module.create_app = lambda state: bare_app(ready=False)
        server = server_module.RunningServer(settings)
        server.wait_until_loaded()              # its schema loading must not overlap the load
        _ready({})
    else:
        server = server_module.RunningServer(settings)
        server.wait_until_loaded()
        info = _seed(server.app, server.state)
        import gc
        gc.freeze()                             # as mock_app() does after seeding
        _ready(info)
    server.serve_forever()


def _threads() -> int:
    return int(os.environ.get("BENCH_SERVERS_THREADS", "8"))


# --------------------------------------------------------------------------- the servers
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One stack serving one app, in a process of its own."""

    def __init__(self, stack: str, app: str, threads: int, workdir: Path, bodies: Path):
        self.stack, self.app = stack, app
        self.port = _free_port()
        self.info_path = workdir / ("%s-%s.json" % (stack, app))
        env = dict(os.environ, **{ENV_INFO: str(self.info_path), ENV_PORT: str(self.port),
                                  ENV_BODIES: str(bodies), "BENCH_SERVERS_THREADS": str(threads),
                                  "PYTHONPATH": os.pathsep.join(
                                      [str(HERE)] + [p for p in sys.path if p])})
        py = sys.executable
        if stack in ("waitress", "waitress-plain"):
            cmd = [py, str(HERE / "bench_servers.py"), "--serve", stack, app]
        elif stack == "granian":
            cmd = [py, "-m", "granian", "--interface", "wsgi", "--workers", "1",
                   "--blocking-threads", str(threads), "--host", "127.0.0.1",
                   "--port", str(self.port), "--log-level", "warning", "--no-ws",
                   "--http", "1", "--factory", "bench_servers:%s_app" % app]
        elif stack == "gunicorn":
            cmd = [py, "-m", "gunicorn", "-k", "gthread", "-w", "1", "--threads", str(threads),
                   "-b", "127.0.0.1:%d" % self.port, "--keep-alive", "30", "--log-level",
                   "warning", "bench_servers:%s_app()" % app]
        else:
            raise SystemExit("unknown stack %r" % stack)
        self.log = open(workdir / ("%s-%s.log" % (stack, app)), "wb")
        self.proc = subprocess.Popen(cmd, env=env, cwd=str(HERE), stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        path = "/health" if self.app == "bare" else "/__admin/health"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("%s (%s) exited %s; see %s" % (self.stack, self.app,
                                                                self.proc.returncode,
                                                                self.log.name))
            if self.info_path.exists() and self.info_path.read_text():
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.port, path),
                                                timeout=2) as r:
                        if r.status == 200:
                            return json.loads(self.info_path.read_text())
                except OSError:
                    pass
            time.sleep(0.05)
        raise SystemExit("%s (%s) not ready in %d s" % (self.stack, self.app, timeout))

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process and its descendants (Linux /proc)."""
        total, todo, tick = 0.0, [self.proc.pid], os.sysconf("SC_CLK_TCK")
        while todo:
            pid = todo.pop()
            try:
                stat = Path("/proc/%d/stat" % pid).read_text()
                fields = stat.rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
                for task in Path("/proc/%d/task" % pid).iterdir():
                    todo.extend(int(c) for c in (task / "children").read_text().split())
            except (OSError, ValueError, IndexError):
                continue
        return total

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# --------------------------------------------------------------------------- the load
def _wrk_load(spec: dict) -> dict:
    """The same load with wrk: one connection per client thread, keep-alive."""
    req = spec["request"]
    script = ["wrk.method = %s" % json.dumps(req["method"])]
    for k, v in req["headers"].items():
        script.append("wrk.headers[%s] = %s" % (json.dumps(k), json.dumps(v)))
    if req.get("body") is not None:
        script.append("wrk.body = %s" % json.dumps(req["body"]))
    script.append("function response(status, headers, body) if status ~= %d then "
                  "wrk.thread:stop() end end" % req["expect"])
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write("\n".join(script) + "\n")
    try:
        conns = spec["threads"]
        out = subprocess.run(["wrk", "-t", str(min(conns, 2)), "-c", str(conns), "-d",
                              "%gs" % spec["seconds"], "--latency", "-s", f.name,
                              "http://%s:%d%s" % (spec["host"], spec["port"], req["path"])],
                             capture_output=True, text=True, timeout=spec["seconds"] + 60)
    finally:
        os.unlink(f.name)
    text = out.stdout

    def ms(value):
        number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
        return float(number) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.M))
    count = int(re.search(r"(\d+) requests in", text).group(1))
    wall = float(re.search(r"requests in ([\d.]+)s", text).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    failures = ([bad.group(0)] if bad else []) + ([errors.group(0)] if errors else [])
    return {"wrk": True, "count": count, "wall": wall, "p50": ms(pct["50"]) / 1e3,
            "p99": ms(pct["99"]) / 1e3, "failures": failures, "n_failures": len(failures)}


def _stats(results: list[dict], cpu: list[float]) -> dict:
    if results[0].get("wrk"):
        n = sum(r["count"] for r in results)
        rps = statistics.median(r["count"] / r["wall"] for r in results)
        p50 = statistics.median(r["p50"] for r in results) * 1e3
        p99 = max(r["p99"] for r in results) * 1e3
    else:
        lat = sorted(x for r in results for x in r["latencies"])
        n = len(lat)
        rps = statistics.median(len(r["latencies"]) / r["wall"] for r in results)
        p = lambda q: lat[min(n - 1, int(round(q * (n - 1))))] * 1e3  # noqa: E731
        p50, p99 = p(0.50), p(0.99)
    return {"n": n, "rps": rps, "p50": p50, "p99": p99,
            "cpu_ms": 1e3 * sum(cpu) / max(1, sum(r.get("count", len(r.get("latencies", ())))
                                                  + r.get("warm", 0) for r in results)),
            "failures": sum(r["n_failures"] for r in results),
            "examples": [f for r in results for f in r["failures"]][:3]}


# --------------------------------------------------------------------------- main
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per round and stack")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--threads", type=int, default=4, help="client threads (connections)")
    parser.add_argument("--server-threads", type=int, default=None,
                        help="request threads of every stack (default: mock-orcid's Settings)")
    parser.add_argument("--client", choices=("python", "wrk"), default="python")
    parser.add_argument("--stacks", default="waitress,granian,gunicorn",
                        help="comma-separated; waitress first (the baseline); also: "
                             "waitress-plain")
    parser.add_argument("--only", default="", help="run the scenarios whose name has this")
    parser.add_argument("--serve", nargs=2, metavar=("STACK", "APP"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_waitress(args.serve[1], plain=args.serve[0] == "waitress-plain")
        return 0

    from mock_orcid.settings import Settings
    threads = args.server_threads or Settings().threads
    stacks = [s.strip() for s in args.stacks.split(",") if s.strip()]
    if stacks[0] != "waitress":
        stacks = ["waitress"] + [s for s in stacks if s != "waitress"]
    missing = [s for s in stacks if s in ("granian", "gunicorn") and _version(s) == "not installed"]
    if missing:
        print("skipped, not installed: %s (pip install -e \".[bench]\")" % ", ".join(missing))
        stacks = [s for s in stacks if s not in missing]
    if args.client == "wrk" and not _which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    t_all = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="bench-servers-"))
    bodies = workdir / "bodies.json"
    servers: dict[tuple[str, str], Server] = {}
    try:
        # The mock apps first: the bare apps answer the bytes they answer.
        for stack in stacks:
            servers[stack, "mock"] = Server(stack, "mock", threads, workdir, bodies)
        infos = {stack: servers[stack, "mock"].wait_ready() for stack in stacks}
        base = servers["waitress", "mock"]
        info = infos["waitress"]
        auth = {"Authorization": "Bearer " + info["token"], "Accept": JSON}
        works_req = urllib.request.Request(
            "http://127.0.0.1:%d/v3.0/%s/works" % (base.port, info["orcid"]), headers=auth)
        with urllib.request.urlopen(works_req) as r:
            works = (r.headers["Content-Type"], r.read())
        token_req = urllib.request.Request(
            "http://127.0.0.1:%d/oauth/token" % base.port, data=TOKEN_FORM.encode(),
            headers={"Content-Type": FORM, "Accept": "application/json"})
        with urllib.request.urlopen(token_req) as r:
            token = (r.headers["Content-Type"], r.read())
        one_kb = json.dumps({"value": "x" * 1000}).encode()[:1024]
        bodies.write_text(json.dumps({
            "1k": {"content_type": "application/json", "body": one_kb.decode()},
            "works": {"content_type": works[0], "body": works[1].decode()},
            "token": {"content_type": token[0], "body": token[1].decode()}}))
        for stack in stacks:
            servers[stack, "bare"] = Server(stack, "bare", threads, workdir, bodies)
        for stack in stacks:
            servers[stack, "bare"].wait_ready()

        get = lambda path, headers=None: {  # noqa: E731
            "method": "GET", "path": path, "headers": headers or {}, "expect": 200}
        post_token = lambda path: {  # noqa: E731
            "method": "POST", "path": path, "body": TOKEN_FORM, "expect": 200,
            "headers": {"Content-Type": FORM, "Accept": "application/json"}}
        plan = [  # (name, app, {stack: request}, bare counterpart or None)
            ("bare GET 1 KB", "bare", {s: get("/bare/1k") for s in stacks}, None),
            ("bare GET %.0f KB (/works bytes)" % (len(works[1]) / 1024), "bare",
             {s: get("/bare/works") for s in stacks}, None),
            ("bare POST token form", "bare", {s: post_token("/bare/token") for s in stacks},
             None),
            ("mock GET /works (100, cached)", "mock",
             {s: get("/v3.0/%s/works" % infos[s]["orcid"],
                     {"Authorization": "Bearer " + infos[s]["token"], "Accept": JSON})
              for s in stacks}, 1),
            ("mock POST /oauth/token", "mock", {s: post_token("/oauth/token") for s in stacks},
             2),
        ]
        plan = [p for p in plan if args.only in p[0]]

        print("serving stacks, same WSGI apps (python %s; %d server threads; %s client, "
              "%d connections; %d x %.1f s rounds, alternating)"
              % (sys.version.split()[0], threads, args.client, args.threads, args.rounds,
                 args.seconds))
        print("versions: %s" % ", ".join("%s %s" % (m, _version(m))
                                         for m in ("waitress", "granian", "gunicorn", "flask")))
        head = "%-34s %-14s %8s %7s %7s %7s | %6s %6s %6s | %6s"
        print(head % ("scenario", "stack", "req/s", "p50 ms", "p99 ms", "cpu ms",
                      "r/s x", "p50 x", "cpu x", "r/s xb"))
        load = _wrk_load if args.client == "wrk" else _python_load()
        ctx = multiprocessing.get_context("spawn")
        failed = False
        results_by_name: dict[str, dict] = {}
        with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            for idx, (name, app, requests, counterpart) in enumerate(plan):
                results = {s: [] for s in stacks}
                cpu = {s: [] for s in stacks}
                for rnd in range(args.rounds):
                    order = stacks[rnd % len(stacks):] + stacks[:rnd % len(stacks)]
                    for stack in order:
                        server = servers[stack, app]
                        warm = 3 if requests[stack]["method"] == "GET" else 0
                        job = {"request": requests[stack], "host": "127.0.0.1",
                               "port": server.port, "seconds": args.seconds,
                               "threads": args.threads, "round": rnd, "warmup": warm}
                        before = server.cpu_seconds()
                        if load is _wrk_load:
                            res = load(job)
                        else:
                            res = pool.submit(load, job).result(timeout=300)
                            res["warm"] = warm * args.threads
                        cpu[stack].append(server.cpu_seconds() - before)
                        results[stack].append(res)
                stats = {s: _stats(results[s], cpu[s]) for s in stacks}
                results_by_name[name] = stats
                bare_name = plan[counterpart][0] if counterpart is not None and \
                    counterpart < len(plan) and plan[counterpart][1] == "bare" else None
                w = stats["waitress"]
                for stack in stacks:
                    s = stats[stack]
                    xb = ""
                    if bare_name and bare_name in results_by_name:
                        xb = "%6.2f" % (s["rps"] / results_by_name[bare_name]["waitress"]["rps"])
                    print("%-34s %-14s %8.0f %7.2f %7.2f %7.3f | %6.2f %6.2f %6.2f | %6s"
                          % (name if stack == stacks[0] else "", stack, s["rps"], s["p50"],
                             s["p99"], s["cpu_ms"], s["rps"] / w["rps"], s["p50"] / w["p50"],
                             s["cpu_ms"] / w["cpu_ms"] if w["cpu_ms"] else float("nan"), xb))
                    if s["failures"]:
                        failed = True
                        print("    %s: %d unexpected answers, e.g. %s"
                              % (stack, s["failures"], s["examples"]))
        print()
        print("r/s x, p50 x, cpu x: against waitress (mock-orcid's serving code) for the same app "
              "and scenario, this run; r/s xb: against waitress serving the bare app the same "
              "bytes. cpu ms: server CPU time (all its processes and threads) per request.")
        print("total benchmark time: %.1f s" % (time.perf_counter() - t_all))
        return 1 if failed else 0
    finally:
        for server in servers.values():
            server.stop()


def _python_load():
    from bench_read_path import _load          # the client of bench_read_path.py
    return _load


def _which(name: str) -> bool:
    import shutil
    return shutil.which(name) is not None


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(module)
    except PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":
    sys.exit(main())
