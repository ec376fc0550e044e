"""A long check never blocks the site (issue 13 §2).

A stand-in for a city-scale check (a rule that keeps its read snapshot open until the main
thread is done) runs in a thread while the main thread makes web writes, logs in and reads
through the API with a token. On SQLite the database is a WAL file like production's, with
a busy timeout of one second: had the check held the write lock, every write would fail.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection, connections
from django.db.utils import load_backend
from django.urls import reverse

from tests.factories import build_tree
from xianfeng.accounts.domain import create_api_token
from xianfeng.accounts.models import ApiToken
from xianfeng.compliance import engine, tasks
from xianfeng.compliance.models import Finding, Run
from xianfeng.compliance.registry import Found, load_rules
from xianfeng.lib.dates import parse_period
from xianfeng.orgs.domain import appoint_to_seat
from xianfeng.orgs.models import ContactPoint, Org

# the threads need committed data; serialized_rollback as test_freshness (a plain
# transactional flush re-creates content types that its restore then collides with)
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PERIOD = parse_period("2025")
AS_OF = dt.date(2026, 1, 10)
PASSWORD = "Xianfeng-Test-2025"


def _wrapper(settings_dict: dict[str, Any]) -> Any:
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="default")


@pytest.fixture
def database(tmp_path) -> Iterator[dict[str, Any] | None]:
    """On SQLite: this thread's default connection to a fresh WAL file with the production
    options and a 1 s busy timeout, migrated; yields the settings for other threads."""
    if connection.vendor != "sqlite":
        yield None
        return
    path = tmp_path / "xianfeng.sqlite3"
    with sqlite3.connect(path) as target:  # the migrated (empty) test schema, as a file
        connection.ensure_connection()
        connection.connection.backup(target)
    settings_dict = dict(connections["default"].settings_dict, NAME=str(path))
    settings_dict["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 1,
        "transaction_mode": "IMMEDIATE",
    }
    previous = connections["default"]
    connections["default"] = _wrapper(settings_dict)
    try:
        yield settings_dict
    finally:
        connections["default"].close()
        connections["default"] = previous


class SlowRule:
    """A rule that reads, waits (snapshot open) until released, then reads again."""

    def __init__(self) -> None:
        self.reading, self.release = threading.Event(), threading.Event()
        self.counts: list[int] = []

    def __call__(self, ctx: Any) -> list[Found]:
        self.counts.append(ContactPoint.objects.count())
        self.reading.set()
        self.release.wait(timeout=60)
        self.counts.append(ContactPoint.objects.count())
        return [Found(org_id=ctx.roots[0].pk, period=PERIOD.label, severity="warn", message="慢")]


@pytest.fixture
def slow(monkeypatch) -> SlowRule:
    rule = SlowRule()
    rules = load_rules()
    fake = {**rules, "SLOW-01": dataclasses.replace(next(iter(rules.values())), id="SLOW-01")}
    fake["SLOW-01"] = dataclasses.replace(fake["SLOW-01"], fn=rule)
    monkeypatch.setattr(engine, "load_rules", lambda: fake)
    return rule


def _check_in_thread(settings_dict: dict[str, Any] | None, root: Org, out: list[Any]) -> Any:
    def run() -> None:
        if settings_dict is not None:
            connections["default"] = _wrapper(settings_dict)
        try:
            out.append(
                engine.run_check(roots=[root], period=PERIOD, as_of=AS_OF, rule_ids=["SLOW-01"])
            )
        except Exception as error:  # reported by the test
            out.append(error)
        finally:
            connections["default"].close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_web_writes_logins_and_token_reads_succeed_during_a_long_check(
    database, slow, client
) -> None:
    tree = build_tree()
    _token, key = create_api_token(user=tree.users["city_admin"], name="脚本")
    appoint_to_seat(
        org=tree.town_a, role="secretary", member=tree.member_a2, started_on=dt.date(2020, 1, 1)
    )
    out: list[Any] = []
    thread = _check_in_thread(database, tree.city, out)
    assert slow.reading.wait(timeout=30), "the check did not start"
    try:
        client.force_login(tree.users["county_officer"])
        response = client.post(
            reverse("orgs:contact_add", args=["CA-T1"]),
            {"leader": "MA2", "target": "CA-T1-B1", "started_on": "2025-03-01", "note": ""},
        )
        assert response.status_code == 302
        client.logout()
        response = client.post(
            reverse("accounts:login"), {"username": "city_admin", "password": PASSWORD}
        )
        assert response.status_code == 302
        for _ in range(3):
            response = client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {key}")
            assert response.status_code == 200
        assert ApiToken.objects.get().last_used_at is not None
    finally:
        slow.release.set()
        thread.join(timeout=60)
    assert len(out) == 1 and not isinstance(out[0], Exception), out
    if database is not None:
        # the check read one snapshot: the contact point added meanwhile was not in it
        assert slow.counts == [0, 0]
    assert ContactPoint.objects.count() == 1
    run = Run.objects.get()
    assert Finding.objects.filter(run=run, rule="SLOW-01").count() == 1


def test_token_use_is_bookkept_at_most_once_a_minute(database, client) -> None:
    tree = build_tree()
    token, key = create_api_token(user=tree.users["city_admin"], name="脚本")
    client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {key}")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first


def test_token_reads_succeed_while_another_writer_holds_the_lock(database, client) -> None:
    if database is None:
        pytest.skip("SQLite's write lock")
    tree = build_tree()
    _token, key = create_api_token(user=tree.users["city_admin"], name="脚本")
    holder = sqlite3.connect(database["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing for a long time
    try:
        response = client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {key}")
        assert response.status_code == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert ApiToken.objects.get().last_used_at is None  # skipped, logged


def test_a_task_step_meeting_a_locked_database_is_retried_then_fails_clearly(
    monkeypatch,
) -> None:
    monkeypatch.setattr(tasks, "PAUSE_SECONDS", 0)
    calls: list[int] = []

    def locked() -> None:
        calls.append(1)
        raise OperationalError("database is locked")

    with pytest.raises(tasks.DatabaseBusy, match="数据库持续被其他写入占用"):
        tasks.persist(locked, "重新检查")
    assert len(calls) == tasks.ATTEMPTS
    assert tasks.persist(lambda: 7, "重新检查") == 7
