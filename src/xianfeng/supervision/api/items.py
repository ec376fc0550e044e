"""Item endpoints (TASK-01, TASK-02): an org's problem, task and duty lists, one item with
its timeline, creating an item, and its life — start, submit the evidence, accept, return,
ask for more time and decide on it.

Every write goes through `supervision.domain.items`, which checks who may do what
(PermissionDenied → 403) and validates with Chinese field messages (→ 422). A transition
another reviewer made first (`domain.items.Conflict`) answers 409 with its message.
Evidence is text: the house API takes JSON bodies only, so files are uploaded on the
item's page.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from xianfeng.lib.api import Code, Error, Pagination, PathId, responses
from xianfeng.lib.dates import today
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user

from ..domain import items as domain
from ..models import Extension, Item, ItemKind, ItemStatus, Step
from ..overdue import overdue_q
from ..queries.items import get_item_for_user, items_for_user

router = Router(tags=["清单督查"])


class StepOut(Schema):
    action: str
    action_label: str = Field(alias="get_action_display")
    note: str
    by: str | None = None
    at: dt.datetime

    @staticmethod
    def resolve_by(step: Step) -> str | None:
        return step.by.display_name if step.by else None


class ExtensionOut(Schema):
    id: int
    item: int = Field(alias="item_id")
    deadline: dt.date
    reason: str
    asked_at: dt.datetime
    decision: str
    decision_label: str = Field(alias="get_decision_display")
    decided_at: dt.datetime | None
    decision_note: str


class ItemOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    org_name: str = Field(alias="org.name")
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    title: str
    description: str
    origin: str
    origin_label: str = Field(alias="get_origin_display")
    rule: str
    finding_period: str
    finding_cleared_on: dt.date | None
    year: int
    responsible: str | None = None
    responsible_name: str | None = None
    reviewer_org: str = Field(alias="reviewer_org.code")
    deadline: dt.date
    status: str
    status_label: str = Field(alias="get_status_display")
    overdue: bool = False
    evidence: str
    submitted_at: dt.datetime | None
    returned_count: int
    reopened_count: int
    accepted_at: dt.datetime | None
    accept_note: str
    created_on: dt.date

    @staticmethod
    def resolve_responsible(item: Item) -> str | None:
        return item.responsible.code if item.responsible else None

    @staticmethod
    def resolve_responsible_name(item: Item) -> str | None:
        return item.responsible.name if item.responsible else None


class ItemDetailOut(ItemOut):
    steps: list[StepOut]
    extensions: list[ExtensionOut]

    @staticmethod
    def resolve_steps(item: Item) -> list[Step]:
        return list(item.steps.select_related("by").order_by("at", "pk"))

    @staticmethod
    def resolve_extensions(item: Item) -> list[Extension]:
        return list(item.extensions.order_by("pk"))


class ItemIn(Schema):
    kind: ItemKind = Field(description="problem（问题清单）、task（任务清单）或 duty（责任清单）")
    title: str
    deadline: dt.date | None = None
    description: str = ""
    responsible: str = Field("", description="责任人党员编号；留空为本组织书记")


class SubmitIn(Schema):
    evidence: str = Field(description="整改情况（文字；附件请在事项页面上传）")


class AcceptIn(Schema):
    note: str = ""


class ReturnIn(Schema):
    reason: str


class ExtensionIn(Schema):
    deadline: dt.date | None = None
    reason: str


class DecideIn(Schema):
    grant: bool
    note: str = ""


# --------------------------------------------------------------------------- helpers

Filter = Literal[""]
CONFLICT = responses({200: ItemDetailOut, 409: Error})


def _shown(items: QuerySet[Item], day: dt.date, late: Q | None = None) -> QuerySet[Item]:
    """Items with what every answer shows: their orgs, responsible member and whether
    they are overdue on `day` (`late`: `overdue_q` of them, when already made; one query,
    however many items)."""
    late = overdue_q(items, day) if late is None else late
    flag = ExpressionWrapper(late, output_field=BooleanField())
    return items.select_related("org", "reviewer_org", "responsible").annotate(overdue=flag)


def _filtered(
    request: HttpRequest,
    items: QuerySet[Item],
    *,
    kind: str,
    status: str,
    overdue: bool | None,
    responsible: str,
) -> QuerySet[Item]:
    if kind:
        items = items.filter(kind=kind)
    if status:
        items = items.filter(status=status)
    if responsible == "me":
        items = items.filter(responsible_user_id=request.user.pk)
    late = overdue_q(items, today())
    found = _shown(items, today(), late)
    if overdue is not None:
        found = found.filter(late) if overdue else found.exclude(late)
    return found.order_by("deadline", "pk")


def _detail(request: HttpRequest, pk: int) -> Item:
    item = get_item_for_user(request.user, pk)
    return _shown(Item.objects.filter(pk=item.pk), today()).get()


def _acting(request: HttpRequest, pk: int, action: Callable[[Item], Any]) -> Any:
    """Run a transition on the item `pk` the user may see; the item as it now is, or
    409 when someone else changed it first."""
    item = get_item_for_user(request.user, pk)
    try:
        action(item)
    except domain.Conflict as conflict:
        message = conflict.message_dict["status"][0]
        return Status(409, {"detail": message, "errors": conflict.message_dict})
    return _detail(request, item.pk)


def _extension_for_user(request: HttpRequest, pk: int) -> Extension:
    """An extension request of an item the user may see, else 404 (missing and out of
    scope answer alike)."""
    found = (
        Extension.objects.filter(pk=pk, item__in=items_for_user(request.user))
        .select_related("item__org", "item__reviewer_org")
        .first()
    )
    if found is None:
        raise Http404("没有找到该延期申请，或不在您的管理范围内")
    return found


# --------------------------------------------------------------------------- reads


@router.get("/items", response=responses({200: list[ItemOut]}))
@paginate(Pagination)
def list_my_items(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    kind: ItemKind | Filter = "",
    status: ItemStatus | Filter = "",
    overdue: bool | None = None,
    responsible: Literal["me", ""] = "",
):
    """Every item the user may see: those of the orgs in their scope and those they act
    for as the responsible person (`responsible=me`: only the latter)."""
    items = items_for_user(request.user)
    return _filtered(
        request, items, kind=kind, status=status, overdue=overdue, responsible=responsible
    )


@router.get("/orgs/{code}/items", response=responses({200: list[ItemOut]}))
@paginate(Pagination)
def list_org_items(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    code: Code,
    kind: ItemKind | Filter = "",
    status: ItemStatus | Filter = "",
    overdue: bool | None = None,
    responsible: Literal["me", ""] = "",
):
    """The items of the org `code` and the orgs below it."""
    org: Org = get_org_for_user(request.user, code)
    items = Item.objects.filter(org__path__startswith=org.path)
    return _filtered(
        request, items, kind=kind, status=status, overdue=overdue, responsible=responsible
    )


@router.get("/items/{item_id}", response=responses({200: ItemDetailOut}))
def get_item(request: HttpRequest, item_id: PathId):  # type: ignore[no-untyped-def]
    """One item with its timeline and extension requests."""
    return _detail(request, item_id)


# --------------------------------------------------------------------------- writes


@router.post("/orgs/{code}/items", response=responses({201: ItemDetailOut}))
def create_item(request: HttpRequest, code: Code, payload: ItemIn):  # type: ignore[no-untyped-def]
    """A new item of the org `code`'s list (responsible: a member code of its subtree,
    empty for the org's secretary)."""
    org = get_org_for_user(request.user, code)
    item = domain.create_item(org, by=request.user, **payload.dict())
    return Status(201, _detail(request, item.pk))


@router.post("/items/{item_id}/start", response=CONFLICT)
def start_item(request: HttpRequest, item_id: PathId):  # type: ignore[no-untyped-def]
    return _acting(request, item_id, lambda item: domain.start_item(item, by=request.user))


@router.post("/items/{item_id}/submit", response=CONFLICT)
def submit_item(request: HttpRequest, item_id: PathId, payload: SubmitIn):  # type: ignore[no-untyped-def]
    """Hand in the evidence (text; files are uploaded on the item's page)."""

    def submit(item: Item) -> Item:
        return domain.submit_item(item, evidence=payload.evidence, by=request.user)

    return _acting(request, item_id, submit)


@router.post("/items/{item_id}/accept", response=CONFLICT)
def accept_item(request: HttpRequest, item_id: PathId, payload: AcceptIn):  # type: ignore[no-untyped-def]
    """Accept the evidence and close the item (a reviewer of the org above)."""

    def accept(item: Item) -> Item:
        return domain.accept_item(item, note=payload.note, by=request.user)

    return _acting(request, item_id, accept)


@router.post("/items/{item_id}/return", response=CONFLICT)
def return_item(request: HttpRequest, item_id: PathId, payload: ReturnIn):  # type: ignore[no-untyped-def]
    """Send the item back with a reason (a reviewer of the org above)."""

    def send_back(item: Item) -> Item:
        return domain.return_item(item, reason=payload.reason, by=request.user)

    return _acting(request, item_id, send_back)


@router.post("/items/{item_id}/extensions", response=responses({201: ExtensionOut}))
def ask_extension(request: HttpRequest, item_id: PathId, payload: ExtensionIn):  # type: ignore[no-untyped-def]
    """Ask for a later deadline (延期申请)."""
    item = get_item_for_user(request.user, item_id)
    extension = domain.ask_extension(
        item, deadline=payload.deadline, reason=payload.reason, by=request.user
    )
    return Status(201, extension)


@router.post(
    "/extensions/{extension_id}/decide", response=responses({200: ExtensionOut, 409: Error})
)
def decide_extension(request: HttpRequest, extension_id: PathId, payload: DecideIn):  # type: ignore[no-untyped-def]
    """Grant or refuse an extension request (a reviewer of the org above)."""
    extension = _extension_for_user(request, extension_id)
    try:
        return domain.decide_extension(
            extension, grant=payload.grant, note=payload.note, by=request.user
        )
    except domain.Conflict as conflict:
        message = conflict.message_dict["status"][0]
        return Status(409, {"detail": message, "errors": conflict.message_dict})
