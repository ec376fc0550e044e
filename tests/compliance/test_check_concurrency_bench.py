"""`xianfeng bench load --with-check`: the check runs beside the load and is reported."""

from __future__ import annotations

import sys

from xianfeng.bench import with_check


def test_the_check_runs_beside_the_load_and_is_reported(monkeypatch, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    command = [sys.executable, "-c", "import time; print('检查'); time.sleep(0.3)"]
    monkeypatch.setattr(with_check, "check_command", lambda: command)
    report = with_check.loaded(lambda **arguments: dict(arguments), check=True, url="u")
    assert report["url"] == "u"
    check = report["check"]
    assert check["returncode"] == 0 and check["seconds"] >= 0.3
    assert check["ended_within_load"] is False  # the stand-in load returned at once
    assert "检查" in (tmp_path / "bench" / "load-check.log").read_text()


def test_without_the_option_no_check_runs(monkeypatch):
    monkeypatch.setattr(with_check, "check_command", lambda: ["false-command-never-run"])
    assert with_check.loaded(lambda **arguments: {"n": 1}, check=False) == {"n": 1}
