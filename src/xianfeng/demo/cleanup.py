"""Deleting the previous demo before `xianfeng demo --replace` builds a new one."""

from __future__ import annotations

from typing import cast

from django.db import connection, models

from xianfeng.accounts.demo import DEMO_USERNAMES
from xianfeng.accounts.models import Post, User
from xianfeng.core.demo import DemoError
from xianfeng.dues.demo import delete_dues_demo
from xianfeng.members.models import Member, Placement, StatusSpell, TemporaryMembership, Transfer
from xianfeng.orglife.demo import LIFE_MODELS, delete_life_demo
from xianfeng.orgs.models import Budget, ContactPoint, Org, Seat, Spending, StaffPost, Venue, Visit
from xianfeng.recruitment.demo import delete_recruitment_demo
from xianfeng.study.demo import delete_study_demo

DEMO_ROOT_CODES = frozenset({"CITY", "C01", "C01-T01"})


def delete_previous_demo() -> None:
    """Delete the previous demo: everything attached to the org tree and the demo accounts.

    Refused when the tree holds a root that the demo does not make (real data). Rows of
    other apps that point at orgs or members are deleted (or unlinked where the relation
    allows it); the big demo tables are emptied with plain DELETEs, without a history row
    per deleted row.
    """
    foreign = sorted(
        set(Org.objects.filter(depth=1).values_list("code", flat=True)) - DEMO_ROOT_CODES
    )
    if foreign:
        raise DemoError(
            f"数据库中有不是示范数据的顶层党组织（编码 {'、'.join(foreign[:5])}），"
            "--replace 只替换示范数据，已停止"
        )
    delete_dues_demo()
    delete_recruitment_demo()
    delete_study_demo()
    delete_life_demo()
    support = (Visit, ContactPoint, Venue, StaffPost, Budget, Spending)
    own = (
        *LIFE_MODELS,
        Org,
        Member,
        StatusSpell,
        Placement,
        Seat,
        Transfer,
        TemporaryMembership,
        Post,
        *support,
    )
    for model in (Org, Member, Seat, Transfer, TemporaryMembership, *support):
        for relation in model._meta.related_objects:
            other = cast(type[models.Model], relation.related_model)
            name = relation.field.name
            if other in own or relation.on_delete is models.DO_NOTHING:
                continue
            rows = other._base_manager.filter(**{f"{name}__isnull": False})
            if relation.on_delete is models.SET_NULL:
                rows.update(**{name: None})
            else:
                rows.delete()
    User.objects.filter(username__in=DEMO_USERNAMES).delete()
    with_history = (*support, Transfer, TemporaryMembership, Seat, Member, Org)
    plain = (
        *support,
        Transfer,
        TemporaryMembership,
        Seat,
        Placement,
        StatusSpell,
        Post,
        Member,
        Org,
    )
    history = [m.history.model for m in with_history]  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        for table in [*plain, *history]:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table._meta.db_table)}")
