from django.http import HttpRequest
from django.urls import reverse


def _items(request: HttpRequest) -> list[tuple[str, str]]:
    user = request.user
    items = [("首页", reverse("home"))]
    if getattr(user, "is_authenticated", False):
        from xianfeng.accounts.scope import has_any_post

        if has_any_post(user):
            items += [
                ("组织树", reverse("orgs:tree")),
                ("党员", reverse("members:list")),
                ("组织关系转接", reverse("members:transfers")),
                ("数据导入导出", reverse("data")),
                ("账号管理", reverse("accounts:list")),
            ]
        if getattr(user, "member_id", None):
            items.append(("我的档案", reverse("members:me")))
        items.append(("接口文档", "/api/docs"))
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
