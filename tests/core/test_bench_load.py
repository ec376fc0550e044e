"""`xianfeng bench load`: the bounded load driver against a live server on loopback."""

from __future__ import annotations

import json
import os

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from xianfeng.bench import load

PASSWORD = "Xianfeng-Load-2025"
# The live server of an in-memory SQLite test database shares one connection among its
# threads, so concurrent clients there would collide in the test harness, not the product.
CLIENTS = 1 if connection.vendor == "sqlite" else 2


def _with_password(*users):  # type: ignore[no-untyped-def]
    for user in users:
        user.set_password(PASSWORD)
        user.must_change_password = False
        user.save()


@pytest.mark.django_db(transaction=True)
def test_bench_load_reports_requests_without_errors(tree, live_server, capsys):
    _with_password(tree.users["secretary"], tree.users["county_officer"])

    call_command(
        "bench",
        "load",
        url=live_server.url,
        clients=CLIENTS,
        seconds=2,
        accounts="secretary,county_officer",
        password=PASSWORD,
        mix="3:1",
    )

    report = json.loads(capsys.readouterr().out)
    assert report["url"] == live_server.url
    assert report["clients"] == CLIENTS
    assert report["accounts"] == ["secretary", "county_officer"][:CLIENTS]
    assert report["nproc"] >= 1
    assert report["seconds"] >= 2
    for kind in ("overall", "read", "write"):
        summary = report[kind]
        assert set(summary) == {
            "requests",
            "errors",
            "client_errors",
            "p50_ms",
            "p95_ms",
            "p99_ms",
            "req_per_s",
            "statuses",
        }
        assert summary["requests"] > 0, kind
        assert summary["errors"] == 0, summary
        assert summary["client_errors"] == 0, summary
        assert summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"]
    assert report["overall"]["requests"] == report["read"]["requests"] + report["write"]["requests"]
    assert report["cores"] == report["nproc"]
    assert report["workers"] is None  # a server the bench did not start
    target = report["target"]
    assert target["p95_ms"] == 150.0
    assert target["ratio"] == round(report["overall"]["p95_ms"] / 150.0, 2)
    assert target["met"] == (report["overall"]["p95_ms"] <= 150.0)
    pages = report["pages"]
    assert {"home", "member_list", "member_search", "findings", "study_record"} <= set(pages)
    assert sum(page["requests"] for page in pages.values()) == report["overall"]["requests"]


def test_server_use_per_request():
    use = load.server_use(2.0, 400, workers=2)

    assert use["cpu_ms_per_request"] == 5.0
    assert use["req_per_s_on_idle_cores"] == round(load.cores() * 1000 / 5.0, 1)
    assert load.server_use(None, 400, workers=2)["cpu_ms_per_request"] is None


def test_group_cpu_seconds_counts_this_process_group():
    assert load.group_cpu_seconds(os.getpgid(0)) > 0
    assert load.group_cpu_seconds(None) is None


@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.1:8000", "http://example.com/", "http://192.168.1.2", "https://127.0.0.1"],
)
def test_bench_load_refuses_non_loopback_url(url):
    with pytest.raises(CommandError, match=r"127\.0\.0\."):
        call_command("bench", "load", url=url, clients=1, seconds=1)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://127.5.0.1", "http://[::1]:80"])
def test_loopback_target_accepts_loopback(url):
    assert load.loopback_target(url)[0] in {"127.0.0.1", "127.5.0.1", "::1"}


def test_loopback_target_accepts_localhost():
    assert load.loopback_target("http://localhost:9000") == ("localhost", 9000)


@pytest.mark.parametrize("mix", ["9", "a:b", "0:0", "-1:2"])
def test_bench_load_refuses_bad_mix(mix):
    with pytest.raises(CommandError, match="--mix"):
        call_command("bench", "load", url="http://127.0.0.1:1", mix=mix)


@pytest.mark.django_db(transaction=True)
def test_bench_load_login_failure_is_clear(tree, live_server):
    with pytest.raises(CommandError, match="登录失败"):
        call_command(
            "bench",
            "load",
            url=live_server.url,
            clients=1,
            seconds=1,
            accounts="secretary",
            password="wrong",
        )
