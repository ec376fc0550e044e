"""A member's dues receipt for a year as a PDF (党费收据, DUES-01): the member and their
org, each month owed or paid with what was due, what was paid and the days it was paid,
the voluntary extra payments, and the total in figures and in capital characters —
through the shared PDF module."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from xianfeng.lib.dates import today
from xianfeng.lib.pdf import Column, Document, format_date
from xianfeng.members.models import Member

from .models import Due, DuesKind, Payment, PaymentKind

NONE = "—"
ZERO = Decimal("0.00")
DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("", "拾", "佰", "仟")
SECTIONS = ("", "万", "亿", "万亿")


def capital_yuan(amount: Decimal) -> str:
    """An amount in yuan in capital characters, as receipts write it: 180.50 →
    壹佰捌拾元伍角整, 0.20 → 贰角整, 1005.07 → 壹仟零伍元零柒分."""
    fen = int((abs(amount) * 100).to_integral_value(rounding=ROUND_HALF_UP))
    if fen == 0:
        return "零元整"
    yuan, rest = divmod(fen, 100)
    jiao, cents = divmod(rest, 10)
    text = ("负" if amount < 0 else "") + (_integer(yuan) + "元" if yuan else "")
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan and cents:
        text += "零"
    return text + (DIGITS[cents] + "分" if cents else "整")


def _integer(number: int) -> str:
    digits = str(number)
    text, zero = "", False
    for index, char in enumerate(digits):
        place = len(digits) - 1 - index
        if char == "0":
            zero = True
        else:
            text += ("零" if zero else "") + DIGITS[int(char)] + UNITS[place % 4]
            zero = False
        if place % 4 == 0 and place and int(digits[max(0, index - 3) : index + 1]):
            text += SECTIONS[place // 4]
    return text


def money(value: Decimal | None) -> str:
    return NONE if value is None else f"{value:.2f}"


def pdf_response(member: Member, year: int) -> HttpResponse:
    """The receipt, shown inline under a Chinese file name."""
    response = HttpResponse(render_receipt(member, year), content_type="application/pdf")
    disposition = content_disposition_header(False, receipt_filename(member, year))
    response["Content-Disposition"] = disposition or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def receipt_filename(member: Member, year: int) -> str:
    """党费收据-<name>-<year>.pdf."""
    return _("党费收据-%(name)s-%(year)s.pdf") % {"name": member.name, "year": year}


def render_receipt(member: Member, year: int) -> bytes:
    """The PDF of `member`'s dues for `year` (the caller has checked the user may see it)."""
    lines = {
        due.month: due
        for due in Due.objects.filter(member=member, month__year=year)
        .select_related("org")
        .order_by("month")
    }
    days, extras = _payments(member, year)
    document = Document(_("党费收据"), author=member.org.name)
    document.table(
        [Column(_("项目"), 1.2), Column(_("内容"), 4)], _facts(member, year, lines), header=False
    )
    document.heading(_("一、逐月交纳情况"))
    months = sorted(set(lines) | set(days))
    rows = [_month_row(month, lines.get(month), days.get(month, [])) for month in months]
    due = sum((d.amount for d in lines.values() if d.amount is not None), ZERO)
    paid = sum((d.paid for d in lines.values()), ZERO)
    rows.append([_("合计"), money(due), money(paid), ""])
    document.table(
        [
            Column(_("月份"), 1.4),
            Column(_("应交（元）"), 1.2, "R"),
            Column(_("已交（元）"), 1.2, "R"),
            Column(_("交纳日期"), 3),
        ],
        rows or [[NONE] * 4],
    )
    if extras:
        document.heading(_("二、自愿多交党费"))
        document.table(
            [Column(_("交纳日期"), 2), Column(_("金额（元）"), 1.2, "R"), Column(_("说明"), 3)],
            [[format_date(day), money(amount), note or NONE] for day, amount, note in extras],
        )
    total = paid + sum((amount for _day, amount, _note in extras), ZERO)
    document.paragraph(
        _("%(year)s年共交纳党费人民币%(total)s元（大写：%(capital)s）。")
        % {"year": year, "total": money(total), "capital": capital_yuan(total)}
    )
    return document.signature(member.org.name, today()).render()


def _facts(member: Member, year: int, lines: dict[dt.date, Due]) -> list[tuple[str, str]]:
    kinds = dict(DuesKind.choices)
    used = list(dict.fromkeys(str(kinds[d.kind]) for d in lines.values()))
    orgs = list(dict.fromkeys(d.org.name for d in lines.values()))
    return [
        (_("姓名"), member.name),
        (_("党员编号"), member.code),
        (_("所在党组织"), member.org.name),
        (_("年度"), _("%(year)s年") % {"year": year}),
        (_("党费类别"), "、".join(used) or NONE),
        (_("收缴党组织"), "、".join(orgs) or NONE),
    ]


def _payments(
    member: Member, year: int
) -> tuple[dict[dt.date, list[dt.date]], list[tuple[dt.date, Decimal, str]]]:
    """The days each month's standing payments were made (reversed ones left out) and the
    standing extra payments of the year."""
    entries = list(
        Payment.objects.filter(member=member, month__year=year)
        .order_by("paid_on", "pk")
        .values_list("pk", "kind", "month", "amount", "paid_on", "note", "reverses")
    )
    undone = {entry[6] for entry in entries if entry[6] is not None}
    days: dict[dt.date, list[dt.date]] = defaultdict(list)
    extras = []
    for pk, kind, month, amount, paid_on, note, _reverses in entries:
        if pk in undone or kind == PaymentKind.REVERSAL:
            continue
        if kind == PaymentKind.EXTRA:
            extras.append((paid_on, amount, note))
        else:
            days[month].append(paid_on)
    return days, extras


def _month_row(month: dt.date, due: Due | None, days: list[dt.date]) -> list[str]:
    label = _("%(year)s年%(month)s月") % {"year": month.year, "month": month.month}
    shown = "、".join(format_date(day) for day in dict.fromkeys(days))
    if not shown:
        shown = _("免交") if due is not None and due.amount == 0 else _("未交")
    if due is None:
        return [label, NONE, NONE, shown]
    return [label, money(due.amount), money(due.paid), shown]
