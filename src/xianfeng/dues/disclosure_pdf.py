"""The yearly disclosure of an org's dues as a PDF for posting to its members
(党费收缴情况公开, DUES-01): the year's figures in a sentence, month by month, and what
was handed up — through the shared PDF module. No member's own amount is shown."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from xianfeng.lib.dates import parse_period
from xianfeng.lib.pdf import Column, Document, format_date

from .disclosure import Disclosure, MonthFigures
from .domain.remittances import period_name


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def pdf_response(found: Disclosure) -> HttpResponse:
    """The disclosure, shown inline under a Chinese file name."""
    response = HttpResponse(render_disclosure(found), content_type="application/pdf")
    disposition = content_disposition_header(False, disclosure_filename(found))
    response["Content-Disposition"] = disposition or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def disclosure_filename(found: Disclosure) -> str:
    """党费收缴情况公开-<org>-<year>.pdf."""
    return _("党费收缴情况公开-%(org)s-%(year)s.pdf") % {"org": found.org.name, "year": found.year}


def render_disclosure(found: Disclosure) -> bytes:
    title = _("%(org)s%(year)s年度党费收缴情况公开") % {"org": found.org.name, "year": found.year}
    document = Document(title, author=found.org.name)
    document.paragraph(summary(found))
    document.heading(_("一、逐月收缴情况"))
    rows = [_month_row(m) for m in found.months]
    rows.append([_("合计"), "", money(found.due), money(found.paid)])
    document.table(
        [
            Column(_("月份"), 1.4),
            Column(_("已交清人数/应交人数"), 1.8, "C"),
            Column(_("应交（元）"), 1.3, "R"),
            Column(_("实交（元）"), 1.3, "R"),
        ],
        rows,
    )
    document.heading(_("二、上缴上级党委情况"))
    document.table(
        [Column(_("期间"), 2), Column(_("上缴金额（元）"), 1.5, "R"), Column(_("上缴日期"), 2)],
        [
            [period_name(parse_period(r.period)), money(r.amount), format_date(r.remitted_on)]
            for r in found.remittances
        ]
        or [[_("本年度尚未上缴"), "", ""]],
    )
    return document.signature(found.org.name, found.as_of).render()


def summary(found: Disclosure) -> str:
    """The year in one paragraph."""
    through = (
        _("全年")
        if found.as_of.month == 12 and found.as_of.day == 31
        else _("截至%(day)s") % {"day": format_date(found.as_of)}
    )
    text = _(
        "%(year)s年%(through)s，本组织应交党费的党员%(members)s名，应交党费%(due)s元，"
        "实交%(paid)s元，欠交%(owing)s元（%(arrears)s名党员有欠交）；"
        "党员自愿多交党费%(extra)s元；向上级党委上缴党费%(remitted)s元。"
    ) % {
        "year": found.year,
        "through": through,
        "members": found.members,
        "due": money(found.due),
        "paid": money(found.paid),
        "owing": money(found.owing),
        "arrears": found.in_arrears,
        "extra": money(found.extra),
        "remitted": money(found.remitted),
    }
    return text + _("以上情况向全体党员公开，如有疑问请向党支部反映。")


def _month_row(figures: MonthFigures) -> list[str]:
    return [
        _("%(month)s月") % {"month": figures.month.month},
        f"{figures.settled}/{figures.members}",
        money(figures.due),
        money(figures.paid),
    ]
