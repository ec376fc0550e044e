"""What the pipeline's writes share: the policy values of the time rules, the sources the
refusals cite, the refusal itself, saving with the history's actor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.compliance.policy import resolver
from xianfeng.lib.dates import today
from xianfeng.orgs.models import MEMBER_KINDS, Org

from .. import permissions
from ..timing import chinese_date

DETAIL = "《中国共产党发展党员工作细则》"
CHARTER = "《中国共产党章程》"
# The regulation is cited by its name: the spec (national-rules.md, revised 2026) gives no
# article numbers for it, and a wrong number is worse than none.
DETAIL_ONE_YEAR = DETAIL
CHARTER_AGE = f"{CHARTER}第一条"
CHARTER_INTRODUCERS = f"{CHARTER}第五条"
CHARTER_PROBATION = f"{CHARTER}第七条"


def policy_value(key: str, org: Org, day: dt.date) -> Any:
    """The value of `recruitment.*` policy `key` for `org` on `day`."""
    return resolver(day=day).value(key, org.path)


def refusal(field: str, rule: str, facts: str, source: str) -> ValidationError:
    """A refusal whose text states the rule, the dates involved and the source:
    "rule：facts（source）"."""
    return ValidationError({field: f"{rule}：{facts}（{source}）"})


def d(day: dt.date) -> str:
    return chinese_date(day)


_NUMERALS = "零一两三四五六七八九十"


def few(count: int) -> str:
    """A small count in Chinese numerals as the rules write it (1 → 一, 2 → 两)."""
    return _NUMERALS[count] if 0 <= count <= 10 else str(count)


def check_not_future(on: dt.date | None, field: str = "on") -> dt.date:
    """Refuses a missing date or one after today."""
    if on is None:
        raise ValidationError({field: "请填写日期"})
    if on > today():
        raise ValidationError({field: "日期不能晚于今天"})
    return on


def check_holds_members(org: Org, field: str = "org") -> None:
    """Refuses an org that cannot hold members (not a branch) or is dissolved."""
    if org.kind not in MEMBER_KINDS:
        raise ValidationError(
            {
                field: f"入党申请人只能由党支部或联合党支部受理，“{org.name}”是{org.get_kind_display()}"
            }
        )
    if org.dissolved_on is not None:
        raise ValidationError({field: f"“{org.name}”已撤销"})


def require_manage(by: Any, org: Org) -> None:
    """Refuses (PermissionDenied) a user who is not an admin or officer of `org` or above."""
    if not permissions.may_manage(by, org):
        raise PermissionDenied("只有本组织或上级党组织的管理员、党务干部可以办理发展党员工作")


def actor(by: Any) -> Any:
    """The account to store as `entered_by` (None for the command line)."""
    return by if getattr(by, "pk", None) is not None else None


def save(record: Any, by: Any, *, validate: bool = True, **options: Any) -> None:
    """Validate (`full_clean`) and save with `by` as the history's actor. `validate=False`
    for a change of fields the caller set from checked values (a status, a pair)."""
    if validate:
        record.full_clean()
    record._history_user = actor(by)
    record.save(**options)
