"""The item pages (TASK-01, TASK-02): my items, an org's lists, the item page and its
actions, the reviewer's queue, the subtree overview — for every account of the demo
tree, each action allowed and refused through the page."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.factories import make_user
from xianfeng.core.models import ExportRecord
from xianfeng.lib.dates import today
from xianfeng.supervision.domain import items as domain
from xianfeng.supervision.models import Extension, Item, ItemFile, ItemStatus, Origin, Step

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n"


def pdf(name="整改.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def new_item(tree, org=None, *, by="county_officer", responsible="MA1", **extra):
    day = today()
    fields = dict(
        kind="problem",
        title="组织生活记录不全",
        deadline=day + dt.timedelta(days=30),
        responsible=responsible,
        created_on=day,
    )
    fields.update(extra)
    return domain.create_item(org or tree.branch_a, by=tree.users[by], **fields)


def submitted(tree, **extra):
    item = new_item(tree, **extra)
    domain.submit_item(item, evidence="已补齐记录", by=tree.users["member"])
    return item


@pytest.fixture
def world(tree):
    """An item of branch A acted for by the member's account (MA1), submitted; a file
    on it; an item of county B."""
    item = submitted(tree, files=[pdf("通知.pdf")])
    outside = new_item(tree, tree.branch_b, by="outsider", responsible="MB1")
    return {"item": item, "file": item.files.get(), "outside": outside}


# --- every page for every account of the tree -------------------------------------------

# (account, path, status); {item}, {file}, {outside} filled from the world
PAGES = [
    ("city_admin", "/supervision/mine/", 200),
    ("city_admin", "/supervision/queue/", 200),
    ("city_admin", "/supervision/orgs/CA-T1-B1/items/", 200),
    ("city_admin", "/supervision/orgs/CITY/overview/", 200),
    ("city_admin", "/supervision/items/{item}/", 200),
    ("city_admin", "/supervision/items/{outside}/", 200),
    ("city_admin", "/supervision/orgs/CA-T1-B1/items/new/", 200),
    ("county_officer", "/supervision/mine/", 200),
    ("county_officer", "/supervision/queue/", 200),
    ("county_officer", "/supervision/orgs/CA/overview/", 200),
    ("county_officer", "/supervision/orgs/CA-T1-B1/items/?kind=problem&status=submitted", 200),
    ("county_officer", "/supervision/items/{item}/", 200),
    ("county_officer", "/supervision/files/{file}/", 200),
    ("county_officer", "/supervision/items/{outside}/", 404),
    ("county_officer", "/supervision/orgs/CB/overview/", 404),
    ("county_viewer", "/supervision/orgs/CA-T1-B1/items/", 200),
    ("county_viewer", "/supervision/orgs/CA-T1/overview/", 200),
    ("county_viewer", "/supervision/items/{item}/", 200),
    ("county_viewer", "/supervision/orgs/CA-T1-B1/items/new/", 403),
    ("secretary", "/supervision/mine/", 200),
    ("secretary", "/supervision/orgs/CA-T1-B1/items/?overdue=on", 200),
    ("secretary", "/supervision/orgs/CA-T1-B1/items/new/", 200),
    ("secretary", "/supervision/orgs/CA-T1/items/", 404),
    ("secretary", "/supervision/orgs/CA-T1-B1/overview/", 200),
    ("secretary", "/supervision/items/{item}/", 200),
    ("outsider", "/supervision/mine/", 200),
    ("outsider", "/supervision/items/{item}/", 404),
    ("outsider", "/supervision/files/{file}/", 404),
    ("outsider", "/supervision/orgs/CA-T1-B1/items/", 404),
    ("outsider", "/supervision/items/{outside}/", 200),
    ("member", "/supervision/mine/", 200),
    ("member", "/supervision/queue/", 200),
    ("member", "/supervision/items/{item}/", 200),
    ("member", "/supervision/files/{file}/", 200),
    ("member", "/supervision/items/{outside}/", 404),
    ("member", "/supervision/orgs/CA-T1-B1/items/", 404),
    ("nobody", "/supervision/mine/", 200),
    ("nobody", "/supervision/queue/", 200),
    ("nobody", "/supervision/items/{item}/", 404),
    ("nobody", "/supervision/orgs/CA-T1-B1/overview/", 404),
]


@pytest.mark.parametrize(("who", "path", "status"), PAGES)
def test_task_01_page_for_account(client_for, tree, world, who, path, status):
    objects = {key: value.pk for key, value in world.items()}
    response = client_for(tree.users[who]).get(path.format(**objects))
    assert response.status_code == status


def test_task_01_mine_shows_the_members_items_with_deadline(client_for, tree, world):
    late = new_item(
        tree,
        title="党费收缴台账缺失",
        created_on=today() - dt.timedelta(days=40),
        deadline=today() - dt.timedelta(days=3),
    )
    page = client_for(tree.users["member"]).get("/supervision/mine/").content.decode()
    assert "组织生活记录不全" in page and "待验收" in page
    assert f'id="item-{late.pk}"' in page and "已逾期 3 天" in page
    assert "白云" not in page


def test_task_01_mine_lists_own_orgs_items_for_officers(client_for, tree):
    item = new_item(tree, responsible="", by="secretary")
    item.responsible_user = None
    domain.save(item, None)
    page = client_for(tree.users["secretary"]).get("/supervision/mine/").content.decode()
    assert f'id="item-{item.pk}"' in page and "本组织待办" in page


def test_task_01_member_without_post_sees_my_items_in_navigation(client_for, tree, world):
    page = client_for(tree.users["member"]).get("/").content.decode()
    assert "/supervision/mine/" in page and "我的事项" in page
    page = client_for(tree.users["county_officer"]).get("/").content.decode()
    assert "清单督查" in page


# --- the lists ---------------------------------------------------------------------------


def test_task_01_org_list_filters_kind_status_and_overdue(client_for, tree, world):
    task = new_item(tree, kind="task", title="制定年度学习计划")
    late = new_item(
        tree,
        title="逾期事项",
        created_on=today() - dt.timedelta(days=40),
        deadline=today() - dt.timedelta(days=1),
    )
    client = client_for(tree.users["county_officer"])
    base = "/supervision/orgs/CA-T1-B1/items/"

    def shown(query):
        page = client.get(base + query).content.decode()
        return {pk for pk in (world["item"].pk, task.pk, late.pk) if f'id="item-{pk}"' in page}

    assert shown("") == {world["item"].pk, task.pk, late.pk}
    assert shown("?kind=task") == {task.pk}
    assert shown("?status=submitted") == {world["item"].pk}
    assert shown("?overdue=on") == {late.pk}
    assert shown("?kind=bogus") == {world["item"].pk, task.pk, late.pk}


def test_task_01_org_list_pages(client_for, tree):
    for index in range(35):
        new_item(tree, title=f"事项{index:02d}")
    client = client_for(tree.users["county_officer"])
    first = client.get("/supervision/orgs/CA-T1-B1/items/").content.decode()
    second = client.get("/supervision/orgs/CA-T1-B1/items/?page=2").content.decode()
    assert first.count('class="list-group-item') == 30
    assert second.count('class="list-group-item') == 5
    assert "第 2 / 2 页，共 35 条" in second


# --- creating an item --------------------------------------------------------------------


def test_task_01_create_item_through_the_page(client_for, tree):
    data = {
        "kind": "task",
        "title": "完善党员活动室",
        "origin": "self_check",
        "responsible": "MA1",
        "deadline": f"{today() + dt.timedelta(days=20):%Y-%m-%d}",
        "attachments": [pdf("方案.pdf")],
    }
    response = client_for(tree.users["secretary"]).post(
        "/supervision/orgs/CA-T1-B1/items/new/", data
    )
    item = Item.objects.get(title="完善党员活动室")
    assert response.status_code == 302 and response["Location"] == f"/supervision/items/{item.pk}/"
    assert (item.kind, item.origin, item.responsible, item.responsible_user) == (
        "task",
        "self_check",
        tree.member_a,
        tree.users["member"],
    )
    assert item.reviewer_org == tree.town_a
    assert [f.name for f in item.files.all()] == ["方案.pdf"]
    assert item.history.first().history_user == tree.users["secretary"]


BAD_CREATE = [
    ("responsible", {"responsible": "MB1"}, "没有找到本组织的在册党员“MB1”"),
    ("responsible", {"responsible": "MA2"}, "没有找到本组织的在册党员“MA2”"),
    ("deadline", {"deadline": "2020-01-01"}, "整改时限不能早于创建日期"),
    ("deadline", {"deadline": ""}, "这个字段是必填项"),
    ("title", {"title": ""}, "这个字段是必填项"),
    (
        "attachments",
        {"attachments": [SimpleUploadedFile("a.exe", b"MZ\x90\x00")]},
        "jpg、png、pdf、docx 或 xlsx",
    ),
]


@pytest.mark.parametrize(("field", "change", "message"), BAD_CREATE)
def test_task_01_create_item_refused_with_field_error(client_for, tree, field, change, message):
    data = {
        "kind": "problem",
        "title": "问题",
        "origin": "manual",
        "responsible": "",
        "deadline": f"{today() + dt.timedelta(days=20):%Y-%m-%d}",
        **change,
    }
    response = client_for(tree.users["secretary"]).post(
        "/supervision/orgs/CA-T1-B1/items/new/", data
    )
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert not Item.objects.exists()


def test_task_01_viewer_may_not_create(client_for, tree):
    response = client_for(tree.users["county_viewer"]).post(
        "/supervision/orgs/CA-T1-B1/items/new/", {"kind": "problem", "title": "t"}
    )
    assert response.status_code == 403
    assert not Item.objects.exists()


# --- the actions through the item page ---------------------------------------------------

DUE = f"{today() + dt.timedelta(days=60):%Y-%m-%d}"

# (state, action, account, posted data, HTTP status, resulting status)
ACTIONS = [
    ("open", "start", "member", {}, 302, "in_progress"),
    ("open", "start", "secretary", {}, 302, "in_progress"),
    ("open", "start", "county_viewer", {}, 403, "open"),
    ("open", "start", "outsider", {}, 404, "open"),
    ("in_progress", "start", "member", {}, 400, "in_progress"),
    ("open", "submit", "member", {"evidence": "已整改"}, 302, "submitted"),
    ("in_progress", "submit", "member", {"evidence": ""}, 400, "in_progress"),
    ("in_progress", "submit", "county_viewer", {"evidence": "已整改"}, 403, "in_progress"),
    ("submitted", "accept", "county_officer", {}, 302, "accepted"),
    ("submitted", "accept", "city_admin", {"note": "同意"}, 302, "accepted"),
    ("submitted", "accept", "secretary", {}, 403, "submitted"),
    ("submitted", "accept", "county_viewer", {}, 403, "submitted"),
    ("submitted", "accept", "member", {}, 403, "submitted"),
    ("submitted", "accept", "outsider", {}, 404, "submitted"),
    ("submitted", "return", "county_officer", {"reason": "材料不全"}, 302, "in_progress"),
    ("submitted", "return", "county_officer", {"reason": ""}, 400, "submitted"),
    ("submitted", "return", "secretary", {"reason": "材料不全"}, 403, "submitted"),
    ("in_progress", "accept", "county_officer", {}, 400, "in_progress"),
    ("accepted", "submit", "member", {"evidence": "再次提交"}, 400, "accepted"),
]


def to_state(tree, state):
    item = new_item(tree)
    if state in ("in_progress", "submitted", "accepted"):
        domain.start_item(item, by=tree.users["member"])
    if state in ("submitted", "accepted"):
        domain.submit_item(item, evidence="已补齐记录", by=tree.users["member"])
    if state == "accepted":
        domain.accept_item(item, by=tree.users["county_officer"])
    return item


@pytest.mark.parametrize(("state", "action", "who", "data", "code", "after"), ACTIONS)
def test_task_02_action_through_the_page(client_for, tree, state, action, who, data, code, after):
    item = to_state(tree, state)
    steps = item.steps.count()
    response = client_for(tree.users[who]).post(f"/supervision/items/{item.pk}/{action}/", data)
    assert response.status_code == code
    item.refresh_from_db()
    assert item.status == after
    if code == 302:
        assert item.steps.last().by == tree.users[who]
        assert item.history.first().history_user == tree.users[who]
    else:
        assert item.steps.count() == steps


def test_task_02_submitter_may_not_accept_own_submission(client_for, tree):
    item = new_item(tree, by="city_admin")
    domain.submit_item(item, evidence="已整改", by=tree.users["city_admin"])
    response = client_for(tree.users["city_admin"]).post(f"/supervision/items/{item.pk}/accept/")
    assert response.status_code == 403
    assert "提交人不能验收或退回自己提交的事项" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED


def test_task_02_forms_shown_only_to_who_may_act(client_for, tree, world):
    url = f"/supervision/items/{world['item'].pk}/"
    officer = client_for(tree.users["county_officer"]).get(url).content.decode()
    assert "验收销号" in officer and 'id="form-review"' in officer
    member = client_for(tree.users["member"]).get(url).content.decode()
    assert 'id="form-review"' not in member and 'id="form-submit"' not in member
    assert 'id="form-extension"' in member
    viewer = client_for(tree.users["county_viewer"]).get(url).content.decode()
    assert '<form method="post" action="/supervision/items/' not in viewer


def test_task_02_submit_with_files_through_the_page(client_for, tree):
    item = to_state(tree, "in_progress")
    response = client_for(tree.users["member"]).post(
        f"/supervision/items/{item.pk}/submit/",
        {"evidence": "已补齐记录", "attachments": [pdf("照片.pdf"), pdf("台账.pdf")]},
    )
    assert response.status_code == 302
    assert sorted(item.files.filter(is_evidence=True).values_list("name", flat=True)) == [
        "台账.pdf",
        "照片.pdf",
    ]


BAD_FILES = [
    ("too big", pdf("大文件.pdf", PDF + b"0" * (20 * 1024 * 1024)), "文件不能超过 20 MB"),
    ("renamed", SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00\x03"), "的内容不是 pdf 文件"),
    (
        "wrong type",
        SimpleUploadedFile("程序.exe", b"MZ\x90\x00\x03"),
        "jpg、png、pdf、docx 或 xlsx",
    ),
]


@pytest.mark.parametrize(("case", "file", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_task_02_submit_refuses_bad_file_with_field_error(client_for, tree, case, file, message):
    item = to_state(tree, "in_progress")
    response = client_for(tree.users["member"]).post(
        f"/supervision/items/{item.pk}/submit/", {"evidence": "已整改", "attachments": [file]}
    )
    assert response.status_code == 400
    assert message in response.context["submit_form"].errors["attachments"][0]
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS
    assert not ItemFile.objects.exists()


def test_task_02_conflict_is_a_clear_message(client_for, tree, world):
    """The officer opened the page; meanwhile the item was returned and submitted again:
    the officer's accept of what they saw is a conflict, not a silent overwrite."""
    item = world["item"]
    seen = item.version
    domain.return_item(item, reason="材料不全", by=tree.users["city_admin"])
    domain.submit_item(item, evidence="已补充", by=tree.users["member"])
    response = client_for(tree.users["county_officer"]).post(
        f"/supervision/items/{item.pk}/accept/", {"version": seen, "note": "同意"}
    )
    assert response.status_code == 409
    assert "该事项已被他人处理，请刷新后查看最新状态" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED


def test_task_02_accept_after_another_reviewer_is_refused_cleanly(client_for, tree, world):
    item = world["item"]
    seen = item.version
    domain.accept_item(item, by=tree.users["city_admin"])
    response = client_for(tree.users["county_officer"]).post(
        f"/supervision/items/{item.pk}/return/", {"version": seen, "reason": "材料不全"}
    )
    assert response.status_code == 400
    assert "只有待验收的事项可以验收或退回" in response.content.decode()


def finding_item(tree, cleared_on=None):
    item = new_item(
        tree,
        origin=Origin.FINDING,
        rule="LIFE-01",
        finding_key=f"LIFE-01|{tree.branch_a.pk}|-|2026",
        finding_period="2026",
        finding_cleared_on=cleared_on,
    )
    domain.submit_item(item, evidence="已整改", by=tree.users["member"])
    return item


def test_task_02_accepting_a_finding_still_reported_needs_a_note(client_for, tree):
    item = finding_item(tree)
    client = client_for(tree.users["county_officer"])
    page = client.get(f"/supervision/items/{item.pk}/").content.decode()
    assert "检查规则仍报告此问题" in page and "/compliance/orgs/CA-T1-B1/" in page
    response = client.post(f"/supervision/items/{item.pk}/accept/", {"note": ""})
    assert response.status_code == 400
    assert response.context["accept_form"].errors["note"] == [
        "检查规则仍报告此问题，验收时请写明理由"
    ]
    response = client.post(f"/supervision/items/{item.pk}/accept/", {"note": "已现场核实"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.accept_note) == (ItemStatus.ACCEPTED, "已现场核实")


def test_task_01_cleared_finding_shows_since_when(client_for, tree):
    item = finding_item(tree, cleared_on=dt.date(2026, 5, 4))
    page = client_for(tree.users["member"]).get(f"/supervision/items/{item.pk}/").content.decode()
    assert "规则已不再报告此问题（自 2026-05-04 起）" in page


def test_task_02_extension_asked_and_decided_through_the_pages(client_for, tree, world):
    item = world["item"]
    response = client_for(tree.users["member"]).post(
        f"/supervision/items/{item.pk}/extension/", {"deadline": DUE, "reason": "需召开党员大会"}
    )
    assert response.status_code == 302
    extension = Extension.objects.get()
    url = f"/supervision/extensions/{extension.pk}/decide/"
    assert client_for(tree.users["secretary"]).post(url, {"grant": "1"}).status_code == 403
    assert client_for(tree.users["outsider"]).post(url, {"grant": "1"}).status_code == 404
    response = client_for(tree.users["county_officer"]).post(url, {"grant": "1", "note": "同意"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert f"{item.deadline:%Y-%m-%d}" == DUE
    assert list(item.steps.values_list("action", flat=True))[-2:] == [
        Step.Action.EXTENSION_ASKED,
        Step.Action.EXTENSION_GRANTED,
    ]
    again = client_for(tree.users["city_admin"]).post(url, {"grant": "0"})
    assert again.status_code == 409 and "该事项已被他人处理" in again.content.decode()


BAD_EXTENSIONS = [
    ("deadline", {"deadline": "2020-01-01", "reason": "r"}, "申请延至的日期应晚于现在的整改时限"),
    ("deadline", {"reason": "r"}, "请填写申请延至的日期"),
    ("reason", {"deadline": DUE}, "请填写申请理由"),
]


@pytest.mark.parametrize(("field", "data", "message"), BAD_EXTENSIONS)
def test_task_02_extension_refused_with_field_error(client_for, tree, world, field, data, message):
    response = client_for(tree.users["member"]).post(
        f"/supervision/items/{world['item'].pk}/extension/", data
    )
    assert response.status_code == 400
    assert response.context["extension_form"].errors[field] == [message]
    assert not Extension.objects.exists()


def test_task_02_actions_are_post_only(client_for, tree, world):
    client = client_for(tree.users["county_officer"])
    assert client.get(f"/supervision/items/{world['item'].pk}/accept/").status_code == 405


def test_task_01_item_page_shows_timeline_files_and_history(client_for, tree, world):
    page = (
        client_for(tree.users["county_officer"])
        .get(f"/supervision/items/{world['item'].pk}/")
        .content.decode()
    )
    assert "创建" in page and "提交整改材料" in page
    assert f"/supervision/files/{world['file'].pk}/" in page and "通知.pdf" in page
    assert "变更记录" in page and "状态：待整改 → 待验收" in page


def test_task_01_file_download(client_for, tree, world):
    response = client_for(tree.users["member"]).get(f"/supervision/files/{world['file'].pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


# --- the reviewer's queue ----------------------------------------------------------------


def test_task_02_queue_holds_what_the_user_may_review(client_for, tree, world):
    own = new_item(tree, by="city_admin", title="自己提交的")
    domain.submit_item(own, evidence="已整改", by=tree.users["city_admin"])
    root = new_item(tree, tree.city, by="city_admin", responsible="", title="市委本级")
    domain.submit_item(root, evidence="已整改", by=None)
    tree.users["city_officer"] = make_user("city_officer", org=tree.city, role="officer")

    def queued(who):
        page = client_for(tree.users[who]).get("/supervision/queue/").content.decode()
        return {pk for pk in (world["item"].pk, own.pk, root.pk) if f'id="item-{pk}"' in page}

    assert queued("county_officer") == {world["item"].pk, own.pk}
    assert queued("city_admin") == {world["item"].pk, root.pk}
    assert queued("city_officer") == {world["item"].pk, own.pk}  # the root's own: admins
    assert queued("secretary") == set()
    assert queued("county_viewer") == set()
    assert queued("outsider") == set()
    assert queued("member") == set()


def test_task_02_queue_oldest_first(client_for, tree):
    first = submitted(tree, title="先提交")
    second = submitted(tree, title="后提交")
    Item.objects.filter(pk=first.pk).update(submitted_at=second.submitted_at - dt.timedelta(1))
    page = client_for(tree.users["county_officer"]).get("/supervision/queue/").content.decode()
    assert page.index(f'id="item-{first.pk}"') < page.index(f'id="item-{second.pk}"')


# --- the subtree overview ----------------------------------------------------------------


def overview_world(tree):
    new_item(tree)  # CA-T1-B1 open
    submitted(tree)  # CA-T1-B1 submitted
    new_item(
        tree,
        tree.branch_a2,
        responsible="MA2",
        created_on=today() - dt.timedelta(days=20),
        deadline=today() - dt.timedelta(days=2),
    )  # CA-T1-B2 open, overdue
    new_item(tree, tree.town_a, responsible="")  # the town itself


def test_task_01_overview_counts_per_child(client_for, tree):
    overview_world(tree)
    response = client_for(tree.users["county_officer"]).get("/supervision/orgs/CA-T1/overview/")
    rows = {row.code: row.counts for row, *_ in response.context["rows"]}
    assert rows == {
        "CA-T1": {"open": 1, "unfinished": 1, "overdue": 0, "total": 1},
        "CA-T1-B1": {"open": 1, "submitted": 1, "unfinished": 2, "overdue": 0, "total": 2},
        "CA-T1-B2": {"open": 1, "unfinished": 1, "overdue": 1, "total": 1},
    }
    county = client_for(tree.users["county_officer"]).get("/supervision/orgs/CA/overview/")
    [(own, *_), (town, *_)] = county.context["rows"]
    assert (own.code, own.counts, town.code, town.counts["total"]) == ("CA", {}, "CA-T1", 4)


SORTS = [
    ("name", ["CA-T1", "CA-T1-B1", "CA-T1-B2"]),
    ("-name", ["CA-T1", "CA-T1-B2", "CA-T1-B1"]),
    ("-overdue", ["CA-T1", "CA-T1-B2", "CA-T1-B1"]),
    ("-total", ["CA-T1", "CA-T1-B1", "CA-T1-B2"]),
    ("total", ["CA-T1", "CA-T1-B2", "CA-T1-B1"]),
    ("bogus", ["CA-T1", "CA-T1-B1", "CA-T1-B2"]),
]


@pytest.mark.parametrize(("sort", "order"), SORTS)
def test_task_01_overview_sorts_by_column(client_for, tree, sort, order):
    overview_world(tree)
    response = client_for(tree.users["county_officer"]).get(
        f"/supervision/orgs/CA-T1/overview/?sort={sort}"
    )
    assert [row.code for row, *_ in response.context["rows"]] == order


def test_task_01_overview_xlsx(client_for, tree):
    overview_world(tree)
    response = client_for(tree.users["county_officer"]).get(
        "/supervision/orgs/CA-T1/overview.xlsx?sort=-overdue"
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == (
        "组织编码",
        "组织名称",
        "待整改",
        "整改中",
        "待验收",
        "已销号",
        "未销号",
        "逾期",
        "合计",
    )
    assert rows[2] == ("CA-T1-B2", "绿水村党支部", 1, 0, 0, 0, 1, 1, 1)
    assert len(rows) == 4
    record = ExportRecord.objects.get()
    assert (record.kind, record.org, record.rows) == ("supervision_overview", tree.town_a, 3)
