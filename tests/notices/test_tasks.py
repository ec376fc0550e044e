"""The background task the compliance check enqueues after a run."""

from __future__ import annotations

import pytest

from xianfeng.compliance.notify import notify_run_task
from xianfeng.notices.models import Notice

from .helpers import found, make_run

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_notify_run_task_notifies_once_as_the_worker(tree, settings):
    settings.TASKS = IMMEDIATE
    run = make_run(tree.town_a, findings=[found("ORG-03", tree.branch_a)])
    result = notify_run_task.enqueue(run.pk)
    assert result.return_value == 3  # city admin, county officer, secretary
    assert notify_run_task.enqueue(run.pk).return_value == 0
    notice = Notice.objects.get(user=tree.users["secretary"])
    assert notice.history.get().history_change_reason == f"worker: notices.notify_run {run.pk}"
