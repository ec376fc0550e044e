"""`xianfeng bench load`: a bounded load driver against a server on this machine.

N client threads (stdlib `http.client`, no think time) each log in through the web login
page as one of the chosen accounts, then loop for a fixed duration over a mix of reads
(home, the account's org page, member list and search, findings, notices, API lists) and
harmless writes (mark all notices read; a pending self-study record, which counts for
nothing until approved), after reading each page once untimed. Only loopback targets are
allowed. The report is a dict printed as JSON: latencies overall, by reads and writes and
by page, against the p95 target of issue 15 (150 ms), with the machine's cores, the
server's workers and (when the bench started the server) its CPU time per request.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from xianfeng.core.serving import cores, default_workers
from xianfeng.lib.dates import today

DEFAULT_ACCOUNTS = ("demo_secretary", "demo_town_admin")
DEFAULT_PASSWORD = "xianfeng-demo"  # the demo accounts' password (accounts.demo.DEMO_PASSWORD)
MAX_CLIENTS = 256
MAX_SECONDS = 3600
REQUEST_TIMEOUT = 60.0  # seconds; a request that takes longer counts as an error
TARGET_P95_MS = 150.0  # issue 15: every page's p95 under 16 clients without think time
LOGIN_PATH = "/accounts/login/"
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class LoadError(Exception):
    """A run that cannot start; the message is Chinese, for the command line."""


# --- target ------------------------------------------------------------------------------


def loopback_target(url: str) -> tuple[str, int]:
    """The host and port of `url`, which must be plain http to a loopback address."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise LoadError(f"只支持 http://127.0.0.1:端口 形式的地址：{url}")
    host = parts.hostname
    if host != "localhost":
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise LoadError(
                f"只允许对本机回环地址（127.0.0.0/8、::1、localhost）施压，拒绝：{host}"
            )
    return host, parts.port or 80


def parse_mix(text: str) -> float:
    """The share of writes for a mix "reads:writes" such as "9:1"."""
    try:
        reads, writes = (int(part) for part in text.split(":"))
    except ValueError:
        raise LoadError(f"--mix 应为“读:写”的非负整数比例，例如 9:1：{text}") from None
    if reads < 0 or writes < 0 or reads + writes == 0:
        raise LoadError(f"--mix 应为“读:写”的非负整数比例，例如 9:1：{text}")
    return writes / (reads + writes)


# --- one client ------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str  # read | write
    page: str  # the step's name in the plan, e.g. member_list
    status: int  # 0: connection error or timeout
    ms: float


class Session:
    """One HTTP connection with its cookies (session and CSRF)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)

    def request(
        self, method: str, path: str, body: bytes | None = None, content_type: str = ""
    ) -> tuple[int, bytes]:
        headers = {"Host": f"{self.host}:{self.port}", "Accept-Language": "zh-hans"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET":
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Content-Type"] = content_type
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.will_close:
            self.conn.close()
        return response.status, data

    def form(self, path: str, fields: dict[str, str]) -> tuple[int, bytes]:
        body = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields})
        return self.request("POST", path, body.encode(), "application/x-www-form-urlencoded")

    def json(self, path: str, payload: dict[str, Any]) -> tuple[int, bytes]:
        return self.request("POST", path, json.dumps(payload).encode(), "application/json")

    def close(self) -> None:
        self.conn.close()


def login(session: Session, username: str, password: str) -> None:
    status, page = session.request("GET", LOGIN_PATH)
    match = _CSRF_INPUT.search(page.decode("utf-8", "replace"))
    if status != 200 or match is None:
        raise LoadError(f"无法打开登录页（HTTP {status}）")
    body = urlencode(
        {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password}
    )
    status, _ = session.request(
        "POST", LOGIN_PATH, body.encode(), "application/x-www-form-urlencoded"
    )
    if status != 302 or "sessionid" not in session.cookies:
        raise LoadError(f"账号 {username} 登录失败（HTTP {status}），请检查用户名和 --password")


def _first(session: Session, path: str) -> dict[str, Any]:
    """The first item of a paginated API list, or {}."""
    status, data = session.request("GET", path)
    if status != 200:
        return {}
    page = json.loads(data)
    items = page.get("items") if isinstance(page, dict) else page
    return dict(items[0]) if items else {}


Step = tuple[str, str, str, dict[str, Any]]  # (page name, get|form|json, path, fields)


@dataclass
class Plan:
    """What one logged-in account reads and writes."""

    reads: list[Step]
    writes: list[Step]


def _read(page: str, path: str) -> Step:
    return (page, "get", path, {})


def plan_for(session: Session) -> Plan:
    """Reads and writes within the account's scope: its top org and a member of it (whose
    surname is the member search's text)."""
    reads = [
        _read("home", "/"),
        _read("notices", "/notices/"),
        _read("api_orgs", "/api/orgs?limit=20"),
        _read("api_notices", "/api/notices"),
    ]
    writes: list[Step] = [("notices_read_all", "form", "/notices/read-all/", {})]
    org = str(_first(session, "/api/orgs?limit=1").get("code", ""))
    if org:
        code = quote(org, safe="")
        reads += [
            _read("org", f"/orgs/{code}/"),
            _read("member_list", f"/members/?org={code}"),
            _read("api_members", f"/api/members?org={code}&limit=20"),
            _read("findings", f"/compliance/orgs/{code}/"),
        ]
        member = _first(session, f"/api/members?org={code}&limit=1")
        if member:
            reads.append(_read("member_search", f"/members/?q={quote(member['name'][:1])}"))
            record = {
                "member": member["code"],
                "source": "self_study",
                "studied_on": today().isoformat(),
                "hours": "1",
                "title": "压力测试自学",
            }
            writes.append(("study_record", "json", f"/api/study/orgs/{code}/records", record))
    return Plan(reads, writes)


@dataclass
class Worker:
    host: str
    port: int
    username: str
    password: str
    write_share: float
    seed: int
    samples: list[Sample] = field(default_factory=list)
    session: Session = field(init=False)
    plan: Plan = field(init=False)
    tag: str = field(default_factory=lambda: secrets.token_hex(4))
    written: int = 0

    def prepare(self) -> None:
        self.session = Session(self.host, self.port)
        try:
            login(self.session, self.username, self.password)
            self.plan = plan_for(self.session)
        except (OSError, http.client.HTTPException) as error:
            raise LoadError(f"无法连接 {self.host}:{self.port}：{error}") from None

    def warm_up(self) -> None:
        """Each read of the plan once, untimed: the server's workers have loaded what they
        load lazily (templates, rules, translations) before the clock starts."""
        for _page, how, path, fields in self.plan.reads:
            # a failure here is counted when it happens again under load
            with contextlib.suppress(OSError, http.client.HTTPException):
                self._call(how, path, fields)

    def run(self, deadline: float) -> None:
        rng = random.Random(self.seed)
        while time.monotonic() < deadline:
            if rng.random() < self.write_share:
                self._time("write", rng.choice(self.plan.writes))
            else:
                self._time("read", rng.choice(self.plan.reads))
        self.session.close()

    def _call(self, how: str, path: str, fields: dict[str, Any]) -> int:
        if how == "get":
            return self.session.request("GET", path)[0]
        if how == "form":
            return self.session.form(path, fields)[0]
        self.written += 1  # a new title each time: the same record twice is refused
        payload = {**fields, "title": f"{fields['title']} {self.tag}-{self.written}"}
        return self.session.json(path, payload)[0]

    def _time(self, kind: str, step: Step) -> None:
        page, how, path, fields = step
        started = time.perf_counter()
        try:
            status = self._call(how, path, fields)
        except (OSError, http.client.HTTPException):
            status = 0
        self.samples.append(Sample(kind, page, status, (time.perf_counter() - started) * 1000))


# --- the run -----------------------------------------------------------------------------


def _percentile(sorted_ms: list[float], share: float) -> float:
    if not sorted_ms:
        return 0.0
    rank = max(1, -(-len(sorted_ms) * share // 1))  # nearest rank
    return round(sorted_ms[int(rank) - 1], 1)


def summarize(samples: list[Sample], seconds: float) -> dict[str, Any]:
    ms = sorted(s.ms for s in samples)
    statuses = Counter(str(s.status) for s in samples)
    return {
        "requests": len(samples),
        "errors": sum(1 for s in samples if s.status == 0 or s.status >= 500),
        "client_errors": sum(1 for s in samples if 400 <= s.status < 500),
        "p50_ms": _percentile(ms, 0.50),
        "p95_ms": _percentile(ms, 0.95),
        "p99_ms": _percentile(ms, 0.99),
        "req_per_s": round(len(samples) / seconds, 1) if seconds else 0.0,
        "statuses": dict(sorted(statuses.items())),
    }


def by_page(samples: list[Sample], seconds: float) -> dict[str, dict[str, Any]]:
    """The summary of each page of the plan, slowest p95 first."""
    pages: dict[str, list[Sample]] = {}
    for sample in samples:
        pages.setdefault(sample.page, []).append(sample)
    summaries = {page: summarize(rows, seconds) for page, rows in pages.items()}
    return dict(sorted(summaries.items(), key=lambda item: -item[1]["p95_ms"]))


def group_cpu_seconds(group: int | None) -> float | None:
    """CPU seconds used so far by the live processes of a process group (the server and
    its workers), from /proc; None where there is no /proc or no group."""
    proc = Path("/proc")
    if group is None or not proc.is_dir():
        return None
    ticks = 0
    for entry in proc.iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # not a process, or it ended meanwhile
        if int(fields[2]) == group:
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def server_use(cpu: float | None, requests: int, workers: int | None) -> dict[str, Any]:
    """The server's CPU per request and what that allows on idle cores: a measure the other
    load of a shared machine does not change (latency and req/s do)."""
    if cpu is None or cpu <= 0 or not requests:
        return {"workers": workers, "cpu_seconds": cpu, "cpu_ms_per_request": None}
    per_request = cpu * 1000 / requests
    return {
        "workers": workers,
        "cpu_seconds": round(cpu, 2),
        "cpu_ms_per_request": round(per_request, 2),
        "req_per_s_on_idle_cores": round(cores() * 1000 / per_request, 1),
    }


def against_target(overall: dict[str, Any], read: dict[str, Any]) -> dict[str, Any]:
    """The p95 target (all requests, and the pages read) and how far from it the run is."""
    return {
        "p95_ms": TARGET_P95_MS,
        "ratio": round(overall["p95_ms"] / TARGET_P95_MS, 2),
        "read_ratio": round(read["p95_ms"] / TARGET_P95_MS, 2),
        "met": overall["p95_ms"] <= TARGET_P95_MS and overall["errors"] == 0,
    }


def run(
    *,
    url: str,
    clients: int = 4,
    seconds: float = 30,
    accounts: tuple[str, ...] = DEFAULT_ACCOUNTS,
    password: str = DEFAULT_PASSWORD,
    mix: str = "9:1",
    workers: int | None = None,
    server_group: int | None = None,
) -> dict[str, Any]:
    """Log `clients` threads in (accounts taken in turn), load the server for `seconds`.
    `workers` (the server's process count) and `server_group` (its process group, whose
    CPU time is measured over the run) are known when the bench started the server."""
    host, port = loopback_target(url)
    write_share = parse_mix(mix)
    if not 1 <= clients <= MAX_CLIENTS:
        raise LoadError(f"--clients 应在 1 到 {MAX_CLIENTS} 之间")
    if not 0 < seconds <= MAX_SECONDS:
        raise LoadError(f"--seconds 应在 0 到 {MAX_SECONDS} 之间")
    if not accounts:
        raise LoadError("--accounts 至少要有一个账号")
    drivers = [
        Worker(host, port, accounts[i % len(accounts)], password, write_share, seed=i)
        for i in range(clients)
    ]
    for driver in drivers:
        driver.prepare()
    for driver in drivers:
        driver.warm_up()
    cpu_before = group_cpu_seconds(server_group)
    started = time.monotonic()
    deadline = started + seconds
    threads = [threading.Thread(target=d.run, args=(deadline,), daemon=True) for d in drivers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + REQUEST_TIMEOUT + 5)
    elapsed = time.monotonic() - started
    cpu_after = group_cpu_seconds(server_group)
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    samples = [s for d in drivers for s in list(d.samples)]
    overall = summarize(samples, elapsed)
    read = summarize([s for s in samples if s.kind == "read"], elapsed)
    return {
        "url": url,
        "clients": clients,
        "seconds": round(elapsed, 2),
        "accounts": list(dict.fromkeys(d.username for d in drivers)),
        "mix": mix,
        "nproc": cores(),
        "cores": cores(),
        "workers": workers,
        "server": server_use(cpu, overall["requests"], workers),
        "target": against_target(overall, read),
        "overall": overall,
        "read": read,
        "write": summarize([s for s in samples if s.kind == "write"], elapsed),
        "pages": by_page(samples, elapsed),
    }


# --- --serve -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LoadError(f"xianfeng serve 未能启动（退出码 {process.returncode}）")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise LoadError(f"xianfeng serve 在 {timeout:.0f} 秒内没有开始监听")


@dataclass(frozen=True)
class Served:
    url: str
    group: int  # the process group of serve, gunicorn and its workers


@contextmanager
def served(workers: int | None = None, timeout: float = 60) -> Iterator[Served]:
    """`xianfeng serve` on a free loopback port for the duration of the block, with
    `workers` processes (default: as `xianfeng serve` chooses)."""
    workers = workers or default_workers()
    port = free_port()
    command = [sys.executable, "-m", "xianfeng.cli", "serve"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        _wait_until_up(port, process, timeout)
        yield Served(f"http://127.0.0.1:{port}", process.pid)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop serve and its gunicorn (their own process group, started above): SIGINT is
    gunicorn's quick shutdown; whatever is left after 15 s gets SIGKILL."""
    group = process.pid
    _signal_group(group, signal.SIGINT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        process.poll()  # reap serve itself
        if not _signal_group(group, 0):
            return
        time.sleep(0.1)
    _signal_group(group, signal.SIGKILL)
    process.wait()


def _signal_group(group: int, signum: int) -> bool:
    """Signal a process group; False when none of it is left."""
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        return False
    return True
