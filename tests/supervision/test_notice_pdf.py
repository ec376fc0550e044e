"""The inspection notice (督查通报) as a PDF (TASK-04): rendered through the shared PDF
module, its Chinese text extracted back and compared; scoped like the notice page."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from xianfeng.supervision.domain import inspections as domain
from xianfeng.supervision.notice_pdf import render_notice

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 7, 6)


@pytest.fixture
def notice(tree):
    officer = tree.users["county_officer"]
    inspection = domain.start_inspection(
        tree.county_a, period="2026-H1", date=DAY, by=officer, seed=5
    )
    target = inspection.targets.get(org=tree.branch_a)
    domain.record_target(
        target, looked_at="查阅党费收缴台账", conclusion="党费按月收缴", by=officer
    )
    domain.add_problem(
        target,
        title="发展党员公示材料缺失",
        deadline=dt.date(2026, 9, 30),
        by=officer,
        created_on=DAY,
    )
    return domain.create_notice(
        tree.county_a,
        number="东组督〔2026〕3号",
        date=dt.date(2026, 7, 20),
        title="关于2026年上半年党建督查情况的通报",
        body="根据年度督查工作安排，县委组织部对部分基层党组织开展了督查。\n现将有关情况通报如下。",
        recipients="CA-T1、CA-T1-B1",
        inspection=inspection,
        by=officer,
    )


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_task_04_notice_pdf_holds_its_chinese_text(notice):
    text = _text(render_notice(notice))
    for expected in [
        "关于2026年上半年党建督查情况的通报",
        "东组督〔2026〕3号",
        "青山镇党委、青山村党支部：",
        "现将有关情况通报如下。",
        "督查情况",
        "青山村党支部",
        "党费按月收缴",
        "发展党员公示材料缺失",
        "随机种子 5",
        "东县县委",
        "2026年7月20日",
    ]:
        assert expected in text.replace(" \n", "").replace("\n", ""), expected


def test_task_04_notice_pdf_page_and_scope(client_for, tree, notice):
    response = client_for(tree.users["county_viewer"]).get(
        f"/supervision/notices/{notice.pk}/notice.pdf"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "东组督〔2026〕3号" in _text(response.content)
    outsider = client_for(tree.users["outsider"])
    assert outsider.get(f"/supervision/notices/{notice.pk}/notice.pdf").status_code == 404
    assert outsider.get(f"/supervision/notices/{notice.pk}/").status_code == 404
