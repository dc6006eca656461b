"""The portal's figures: ``tracker serve`` under load against the least Flask app under
the same waitress (``minimal_web.py``), both on the same database, in the same run.

The clients are threads of the benchmark, each with one kept-alive connection (as a
browser keeps one), sending requests until the run's count is done. A figure is the
wall time of the run divided by its requests (what each request costs the server when
``clients`` are waiting); p50 and p99 of the single requests' latencies are printed
beside it. On PostgreSQL the portal runs as two ``serve`` processes (and the baseline as
two processes), the clients taking turns between them.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
TRACKER = str(Path(PYTHON).with_name("tracker"))
THREADS = 8  # tracker serve's default, given to both sides
# The address the students reach, the same for every serve process (as behind the one
# proxy of a real site): a POST's Origin is checked against it.
BASE = "http://127.0.0.1:8000"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Load:
    seconds: float  # the wall time of the whole run
    requests: int
    latencies: list[float]

    @property
    def per_request(self) -> float:
        return self.seconds / self.requests

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def said(self) -> str:
        return (f"p50 {self.percentile(0.5) * 1000:.1f} ms, "
                f"p99 {self.percentile(0.99) * 1000:.1f} ms")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes], said: Any,
             timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said.seek(0)
            error = said.read().decode(errors="replace")
            raise SystemExit(f"the server stopped ({process.returncode}): {error}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"no server on port {port} after {timeout} s")


@contextmanager
def servers(commands: list[list[str]], env: dict[str, str]) -> Iterator[list[int]]:
    """Start each command with its port (``{port}`` in it); stop them all at the end."""
    started: list[subprocess.Popen[bytes]] = []
    ports = []
    try:
        for command in commands:
            port = free_port()
            said = tempfile.TemporaryFile()  # noqa: SIM115 (a pipe nobody read would stop it)
            process = subprocess.Popen([part.replace("{port}", str(port)) for part in command],
                                       env=env, stdout=said, stderr=said)
            started.append(process)
            wait_for(port, process, said)
            ports.append(port)
        yield ports
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def tracker_servers(url: str, folder: Path, env: dict[str, str], count: int) -> list[list[str]]:
    outbox = Path(tempfile.mkdtemp(prefix="outbox-", dir=folder))
    return [[TRACKER, "--db", url, "serve", "--port", "{port}", "--threads", str(THREADS),
             "--base-url", BASE, "--outbox", str(outbox), "--trusted-proxy", "127.0.0.1"]
            for _ in range(count)]


def minimal_servers(database: str, count: int) -> list[list[str]]:
    return [[PYTHON, str(HERE / "minimal_web.py"), database, "{port}", str(THREADS)]
            for _ in range(count)]


Request = Callable[[http.client.HTTPConnection, int], None]


def load(ports: list[int], clients: int, requests: int, job: Request,
         pause: float = 0.0) -> Load:
    """``requests`` calls of ``job`` from ``clients`` threads, each with its connection,
    the clients spread over ``ports``; each client waits ``pause`` seconds between two
    requests (outside their latencies)."""
    counter = iter(range(requests))
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[BaseException] = []

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", ports[index % len(ports)],
                                                timeout=120)
        own = []
        try:
            while True:
                with lock:
                    number = next(counter, None)
                if number is None:
                    break
                if pause and own:
                    time.sleep(pause)
                started = time.perf_counter()
                job(connection, number)
                own.append(time.perf_counter() - started)
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()
            with lock:
                latencies.extend(own)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"a client failed: {failures[0]!r}")
    return Load(elapsed, len(latencies), latencies)


def answer(connection: http.client.HTTPConnection, method: str, path: str,
           headers: dict[str, str] | None = None, body: str | None = None,
           expect: int = 200) -> tuple[str, http.client.HTTPResponse]:
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    text = response.read().decode(errors="replace")
    if response.status != expect:
        raise RuntimeError(f"{method} {path}: {response.status} {text[:300]}")
    return text, response


def get(path: str, cookie: str | None = None) -> Request:
    headers = {"Cookie": f"tracker={cookie}"} if cookie else {}

    def job(connection: http.client.HTTPConnection, _: int) -> None:
        answer(connection, "GET", path, headers)

    return job


def paired_load(tool: tuple[list[list[str]], Request], baseline: tuple[list[list[str]], Request],
                env: dict[str, str], clients: int, requests: int,
                rounds: int = 3) -> tuple[Load, Load]:
    """The median run (by wall time) of each side, the sides in turns, a first run of
    each left out (it warms the server: imports, caches, compiled statements)."""
    tools, baselines = [], []
    with servers(tool[0], env) as tool_ports, servers(baseline[0], env) as baseline_ports:
        load(tool_ports, clients, max(clients, requests // 4), tool[1])
        load(baseline_ports, clients, max(clients, requests // 4), baseline[1])
        for _ in range(rounds):
            tools.append(load(tool_ports, clients, requests, tool[1]))
            baselines.append(load(baseline_ports, clients, requests, baseline[1]))
    return median_load(tools), median_load(baselines)


def median_load(runs: list[Load]) -> Load:
    return sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]


def sessions(url: str, number: str, env: dict[str, str], count: int = 1) -> dict[str, Any]:
    made = subprocess.run([PYTHON, str(HERE / "web_setup.py"), "sessions", url, number,
                           str(count)], env=env, capture_output=True, text=True)
    if made.returncode != 0:
        raise SystemExit(f"no sessions: {made.stderr}")
    return dict(json.loads(made.stdout))


def login_request(base: str, numbers: list[str]) -> Request:
    """``POST /login`` for a new student number each time, as from a new address each
    time (X-Forwarded-For, believed from the benchmark's proxy address only): the
    limits per identity and per network are not what is measured."""
    tokens: dict[int, tuple[str, str]] = {}

    def job(connection: http.client.HTTPConnection, number: int) -> None:
        key = id(connection)
        if key not in tokens:  # this browser's cookie and token, from its first page
            page, response = answer(connection, "GET", "/")
            cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
            found = CSRF.search(page)
            assert found is not None, page[:300]
            tokens[key] = (cookie, found.group(1))
        cookie, token = tokens[key]
        body = urlencode({"csrf_token": token, "identity": numbers[number % len(numbers)]})
        address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
        answer(connection, "POST", "/login", {
            "Cookie": cookie, "Origin": base, "X-Forwarded-For": address,
            "Content-Type": "application/x-www-form-urlencoded"}, body)

    return job


def login_figures(tool: list[list[str]], env: dict[str, str], numbers: list[str],
                  requests: int) -> tuple[Load, Load, Load]:
    """``POST /login`` as a student meets it: one request at a time, a pause between
    (the mail of the last one leaves meanwhile, as it does between two students), the
    median latency against /healthz's, asked the same way, in turns. Then the same
    requests from 16 clients at once: the price of the mails is in that figure."""
    singles = min(60, requests // 2)
    with servers(tool, env) as ports:
        base_url = BASE
        fresh = iter(range(len(numbers)))

        def share(count: int) -> list[str]:
            return [numbers[next(fresh) % len(numbers)] for _ in range(count)]

        load(ports, 1, 8, login_request(base_url, share(8)))
        logins, healths = [], []
        for _ in range(3):
            healths.append(load(ports, 1, singles, get("/healthz"), pause=0.03))
            logins.append(load(ports, 1, singles, login_request(base_url, share(singles)),
                               pause=0.03))
        crowd = load(ports, 16, requests, login_request(base_url, share(requests)))
    return median_load(logins), median_load(healths), crowd


def web_figures(table: Any, engine: str, url: str, baseline_db: str, number: str,
                students: int, numbers: list[str], folder: Path, env: dict[str, str],
                quick: bool) -> None:
    """/me, POST /login and /admin; ``engine`` names the figures (SQLite, PostgreSQL)."""
    count = 2 if engine == "PostgreSQL" else 1
    requests = 160 if quick else 400
    made = sessions(url, number, env)
    cookie = made["students"][0]
    tool, base = tracker_servers(url, folder, env, count), minimal_servers(baseline_db, count)
    me, minimal_me = paired_load((tool, get("/me", cookie)),
                                 (base, get(f"/me/{number}")), env, 16, requests)
    table.add(f"{engine}: GET /me, 1 student of {students:,}, 16 clients, vs a minimal "
              "Flask app: one query, a one-line template", me.per_request * 1000,
              minimal_me.per_request * 1000, 4.0, "ms")
    table.note(f"{engine}: GET /me latencies", f"{me.said()} (minimal: {minimal_me.said()})")
    login, health, crowd = login_figures(tool, env, numbers, requests)
    table.add(f"{engine}: POST /login answered (mail in the background), one at a time, vs "
              "GET /healthz, p50", login.percentile(0.5) * 1000, health.percentile(0.5) * 1000,
              2.0, "ms")
    table.note(f"{engine}: POST /login, 16 clients at once, mail sent meanwhile",
               f"{crowd.per_request * 1000:.1f} ms per request ({crowd.said()}; each mail "
               "is made and written by the same process)")
    timed = subprocess.run([PYTHON, str(HERE / "web_setup.py"), "admin", url], env=env,
                           capture_output=True, text=True)
    if timed.returncode != 0:
        raise SystemExit(f"admin figure failed: {timed.stderr}")
    seconds = json.loads(timed.stdout)
    table.add(f"{engine}: GET /admin, {students:,} students, vs report --format html, "
              "both in-process", seconds["admin"] * 1000, seconds["report"] * 1000, 1.5, "ms")


def environment(base: dict[str, str]) -> dict[str, str]:
    env = dict(base)
    env.pop("TRACKER_SMTP_URL", None)
    return env


if __name__ == "__main__":  # a first look at one database: python web.py URL NUMBER
    class Printed:
        def add(self, figure: str, tool: float, baseline: float, goal: float,
                unit: str) -> None:
            print(f"{figure}: {tool:.2f} {unit} vs {baseline:.2f} {unit} = "
                  f"{tool / baseline:.2f}x (goal <= {goal}x)")

        def note(self, figure: str, value: str) -> None:
            print(f"{figure}: {value}")

    database, student = sys.argv[1], sys.argv[2]
    everyone = [f"s{1000000 + i:07d}" for i in range(2000)]  # as data.py numbers them
    web_figures(Printed(), "SQLite", database, database, student, 0, everyone,
                Path(tempfile.mkdtemp()), environment(dict(os.environ)), True)
