from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .hooks import hook


def _items(request: HttpRequest) -> list[tuple[str, str]]:
    user = request.user
    items = [(_("首页"), reverse("home"))]
    if getattr(user, "is_authenticated", False):
        posted = hook("has_any_post")(user)
        if posted:
            items += [
                (_("组织树"), reverse("orgs:tree")),
                (pgettext("nav", "党员"), reverse("members:list")),
                (pgettext("nav", "组织关系转接"), reverse("members:transfers")),
                (_("学习教育"), reverse("study:home")),
                (_("合规检查"), reverse("compliance:rules")),
                (_("清单督查"), reverse("supervision:mine")),
                (_("数据导入导出"), reverse("data")),
                (_("账号管理"), reverse("accounts:list")),
            ]
        if getattr(user, "member_id", None):
            items.append((_("我的档案"), reverse("members:me")))
            items.append((_("我的学习"), reverse("study:my")))
            items.append((_("我的党费"), reverse("dues:me")))
            if not posted:
                items.append((_("我的事项"), reverse("supervision:mine")))
        items.append((_("接口文档"), "/api/docs"))
    return items


def navigation(request: HttpRequest) -> dict:
    path = request.path
    nav = []
    for label, url in _items(request):
        active = path == url if url == "/" else path.startswith(url)
        nav.append({"label": label, "url": url, "active": active})
    return {
        "nav_items": nav,
        "logout_url": reverse("accounts:logout"),
        "password_change_url": reverse("accounts:password_change"),
    }
