"""`xianfeng serve`: its worker count follows the cores; each worker freezes what it loaded
at start out of the garbage collector's way."""

from __future__ import annotations

import gc

import pytest

from xianfeng.core import serving


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (None, "cores"),
        ("3", 3),
        ("1", 1),
        ("0", "cores"),
        ("-2", "cores"),
        ("四", "cores"),
        (" 5 ", 5),
    ],
)
def test_default_workers_follow_the_cores_unless_set(monkeypatch, env, expected):
    if env is None:
        monkeypatch.delenv(serving.WORKERS_ENV, raising=False)
    else:
        monkeypatch.setenv(serving.WORKERS_ENV, env)

    workers = serving.default_workers()

    assert workers == (serving.cores() if expected == "cores" else expected)


def test_cores_is_at_least_one():
    assert serving.cores() >= 1


def test_freeze_startup_objects_moves_them_out_of_collection():
    try:
        serving.freeze_startup_objects()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_serve_refuses_a_worker_count_that_is_not_positive(workers):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="应为正整数"):
        call_command("serve", "--workers", workers)
