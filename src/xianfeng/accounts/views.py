"""Account pages (PLAT-01): own password and tokens; admins manage accounts in their scope."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from xianfeng.core.jobs import start_job
from xianfeng.members.queries import get_member_for_user
from xianfeng.orgs.queries import get_org_for_user

from . import domain
from .forms import (
    AccountCreateForm,
    BulkCreateForm,
    LinkMemberForm,
    PasswordChangeForm,
    PostForm,
    SearchForm,
    TokenForm,
)
from .models import Post, Role, User
from .permissions import can_admin_org
from .queries import get_account_for_user, users_for_user
from .scope import is_within_scope, path_q
from .tasks import BULK_CREATE_KIND, create_accounts_for_seat_holders_task


class AuthedRequest(HttpRequest):
    """What a page behind @login_required receives (for the type checker)."""

    user: User
    htmx: HtmxDetails


PER_PAGE = 50
HISTORY_LIMIT = 100
# Only these fields are shown in the history: never the password (nor its hash).
_USER_FIELDS = (
    "username",
    "first_name",
    "is_active",
    "member",
    "can_view_identifiers",
    "must_change_password",
    "is_superuser",
)
_POST_FIELDS = ("org", "role", "is_active")
_ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}
_CHANNELS = {"web": "网页", "api": "接口", "system": "系统", "cli": "命令行", "worker": "后台任务"}


def _add_errors(form: Form, error: ValidationError) -> None:
    """Show a domain ValidationError on the form (unknown fields become form-wide errors)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _admin_posts(user: Any) -> QuerySet[Post]:
    return Post.objects.filter(user=user, is_active=True, role=Role.ADMIN).select_related("org")


def _is_admin_somewhere(user: Any) -> bool:
    return user.is_superuser or _admin_posts(user).exists()


def _require_admin_somewhere(user: Any) -> None:
    if not _is_admin_somewhere(user):
        raise PermissionDenied("只有管理员可以管理账号")


def _default_org_code(user: Any) -> str:
    post = _admin_posts(user).order_by("org__path").first()
    return post.org.code if post else ""


def _once(request: AuthedRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A page that shows a secret once: never cached by the browser or a proxy."""
    response = render(request, template, context)
    add_never_cache_headers(response)
    return response


def _safe_next(request: AuthedRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else ""


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain.change_own_password(user=user, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            form.add_error("new_password1", error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改")
            return redirect(_safe_next(request) or "home")
    context = {"form": form, "forced": user.must_change_password, "next": _safe_next(request)}
    return render(request, "accounts/password_change.html", context)


def _accounts(user: Any, text: str) -> QuerySet[User]:
    active_posts = (
        Post.objects.filter(is_active=True)
        .filter(path_q(user, "org__path"))  # never name an org outside the admin's scope
        .select_related("org")
        .order_by("org__path")
    )
    accounts = (
        users_for_user(user)
        .select_related("member", "member__org")
        .prefetch_related(Prefetch("posts", queryset=active_posts, to_attr="active_posts"))
        .order_by("username")
    )
    if text:
        accounts = accounts.filter(Q(username__icontains=text) | Q(first_name__icontains=text))
    return accounts


def _create_account(request: AuthedRequest, form: AccountCreateForm) -> tuple[User, str] | None:
    data = form.cleaned_data
    org = get_org_for_user(request.user, data["org"])
    member = get_member_for_user(request.user, data["member"]) if data["member"] else None
    try:
        return domain.create_account_with_post(
            username=data["username"],
            display_name=data["display_name"],
            org=org,
            role=data["role"],
            member=member,
            by=request.user,
        )
    except ValidationError as error:
        _add_errors(form, error)
        return None


@login_required
def account_list(request: AuthedRequest) -> HttpResponse:
    """Accounts in scope with search; admins also get the form to open an account."""
    can_create = _is_admin_somewhere(request.user)
    form = AccountCreateForm(initial={"org": _default_org_code(request.user)})
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied("只有管理员可以开通账号")
        form = AccountCreateForm(request.POST)
        created = _create_account(request, form) if form.is_valid() else None
        if created is not None:
            account, password = created
            context = {"account": account, "password": password, "reason": "created"}
            return _once(request, "accounts/password_once.html", context)
    search = SearchForm(request.GET)
    text = search.cleaned_data["q"].strip() if search.is_valid() else ""
    page = Paginator(_accounts(request.user, text), PER_PAGE).get_page(request.GET.get("page"))
    for account in page.object_list:
        account.visible_member = _visible_member(request.user, account)  # type: ignore[attr-defined]
    context = {
        "search": search,
        "page_obj": page,
        "querystring": urlencode({"q": text}) if text else "",
        "form": form,
        "can_create": can_create,
        "default_org": _default_org_code(request.user),
    }
    if request.htmx:
        return render(request, "accounts/list.html#results", context)
    return render(request, "accounts/list.html", context)


def _visible_member(viewer: Any, account: User) -> Any:
    """The account's member if it lies in the viewer's scope (else None: never named)."""
    member = account.member
    if member is None or not is_within_scope(viewer, member.org.path):
        return None
    return member


def _shown(record: Any, name: str, viewer: Any = None) -> str:
    field = record._meta.get_field(name)
    value = getattr(record, field.attname)
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        try:
            target = getattr(record, name)
        except ObjectDoesNotExist:
            return f"#{value}"
        if name == "member" and not is_within_scope(viewer, target.org.path):
            return "（其他组织的党员）"
        return str(target)
    return str(value)


def _channel(reason: str | None) -> str:
    """The history's channel in Chinese: "worker: accounts.bulk_create" → "后台任务 accounts…"."""
    head, _sep, rest = (reason or "").partition(": ")
    return f"{_CHANNELS[head]} {rest}".strip() if head in _CHANNELS else reason or ""


Change = tuple[str, str, str]  # (field label, old value, new value)


def _changes(prev: Any, record: Any, fields: tuple[str, ...], viewer: Any) -> list[Change]:
    changed: list[Change] = []
    for name in fields:
        attname = record._meta.get_field(name).attname
        if getattr(prev, attname) != getattr(record, attname):
            label = str(record._meta.get_field(name).verbose_name)
            changed.append((label, _shown(prev, name, viewer), _shown(record, name, viewer)))
    return changed


def _entries(
    records: Any, fields: tuple[str, ...], subject: Any, viewer: Any
) -> list[dict[str, Any]]:
    """History rows with their changed fields; saves that changed nothing shown are left out."""
    entries: list[dict[str, Any]] = []
    prev = None
    for record in records:
        if prev is not None and prev.id != record.id:
            prev = None
        changes: list[Change] = [] if prev is None else _changes(prev, record, fields, viewer)
        if record.history_type != "~" or changes:
            user = record.history_user
            entries.append(
                {
                    "when": record.history_date,
                    "who": user.display_name if user else "系统",
                    "via": _channel(record.history_change_reason),
                    "subject": subject(record),
                    "action": _ACTIONS.get(record.history_type, record.history_type),
                    "changes": changes,
                }
            )
        prev = record
    return entries


def _post_subject(record: Any) -> str:
    return f"岗位：{_shown(record, 'org')} {_shown(record, 'role')}"


def account_history(account: User, viewer: Any = None) -> list[dict[str, Any]]:
    """The account's and its posts' history, newest first (PLAT-02); posts at orgs and
    members outside the viewer's scope are left out (`viewer` None: everything)."""
    latest = account.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )[: HISTORY_LIMIT * 3]  # logins save the account too; those rows are skipped
    posts = Post.history.filter(user_id=account.pk).select_related("history_user")
    if viewer is not None:
        posts = posts.filter(path_q(viewer, "org__path"))
    entries = _entries(reversed(list(latest)), _USER_FIELDS, lambda record: "账号", viewer)
    order = ("id", "history_date", "history_id")
    entries += _entries(posts.order_by(*order), _POST_FIELDS, _post_subject, viewer)
    entries.sort(key=lambda entry: entry["when"], reverse=True)
    return entries[:HISTORY_LIMIT]


def _render_detail(request: AuthedRequest, account: User, **forms: Form) -> HttpResponse:
    user = request.user
    context = {
        "account": account,
        "posts": account.posts.filter(path_q(user, "org__path"))
        .select_related("org")
        .order_by("-is_active", "org__path"),
        "post_form": forms.get("post_form") or PostForm(),
        "member_form": forms.get("member_form") or LinkMemberForm(),
        "member": _visible_member(user, account),
        "can_manage": domain.can_manage_account(user, account),
        "can_grant_identifiers": domain.can_manage_account(user, account)
        and (user.is_superuser or (user.can_view_identifiers and user.pk != account.pk)),
        "history": account_history(account, user),
    }
    return render(request, "accounts/detail.html", context)


@login_required
def account_detail(request: AuthedRequest, username: str) -> HttpResponse:
    return _render_detail(request, get_account_for_user(request.user, username))


@login_required
@require_POST
def post_add(request: AuthedRequest, username: str) -> HttpResponse:
    account = get_account_for_user(request.user, username)
    _require_admin_somewhere(request.user)
    form = PostForm(request.POST)
    if form.is_valid():
        org = get_org_for_user(request.user, form.cleaned_data["org"])
        role = form.cleaned_data["role"]
        try:
            domain.grant_post(user=account, org=org, role=role, by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"已开通{org.name}的{Role(role).label}岗位")
            return redirect("accounts:detail", account.username)
    return _render_detail(request, account, post_form=form)


@login_required
@require_POST
def post_end(request: AuthedRequest, username: str, pk: int) -> HttpResponse:
    account = get_account_for_user(request.user, username)
    posts = account.posts.filter(path_q(request.user, "org__path")).select_related("org")
    post = get_object_or_404(posts, pk=pk, is_active=True)  # never confirm another's post
    domain.end_post(post=post, by=request.user)
    messages.success(request, f"已停用{post.org.name}的{post.get_role_display()}岗位")
    return redirect("accounts:detail", account.username)


@login_required
@require_POST
def link_member(request: AuthedRequest, username: str) -> HttpResponse:
    account = get_account_for_user(request.user, username)
    _require_admin_somewhere(request.user)
    form = LinkMemberForm(request.POST)
    if form.is_valid():
        member = get_member_for_user(request.user, form.cleaned_data["member"])
        try:
            domain.link_member(user=account, member=member, by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"已关联党员{member.name}（{member.code}）")
            return redirect("accounts:detail", account.username)
    return _render_detail(request, account, member_form=form)


@login_required
@require_POST
def reset_password(request: AuthedRequest, username: str) -> HttpResponse:
    account = get_account_for_user(request.user, username)
    password = domain.reset_password(user=account, by=request.user)
    context = {"account": account, "password": password, "reason": "reset"}
    return _once(request, "accounts/password_once.html", context)


@login_required
@require_POST
def set_active(request: AuthedRequest, username: str) -> HttpResponse:
    account = get_account_for_user(request.user, username)
    active = request.POST.get("active") == "1"
    try:
        domain.set_account_active(user=account, active=active, by=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "账号已启用" if active else "账号已停用，该用户无法再登录")
    return redirect("accounts:detail", account.username)


@login_required
@require_POST
def set_identifiers(request: AuthedRequest, username: str) -> HttpResponse:
    account = get_account_for_user(request.user, username)
    allowed = request.POST.get("allowed") == "1"
    domain.set_identifier_right(user=account, allowed=allowed, by=request.user)
    messages.success(
        request, "已授予查看完整身份证号的权限" if allowed else "已收回查看完整身份证号的权限"
    )
    return redirect("accounts:detail", account.username)


@login_required
def bulk_create(request: AuthedRequest) -> HttpResponse:
    """为本组织（含下级）所有班子成员开通账号: a confirmation page, then a background job."""
    code = request.GET.get("org", "").strip()
    if not code:
        form = BulkCreateForm(initial={"org": _default_org_code(request.user)})
        return render(request, "accounts/bulk.html", {"form": form})
    org = get_org_for_user(request.user, code)
    if not can_admin_org(request.user, org):
        raise PermissionDenied("只有该组织（或上级组织）的管理员可以批量开通账号")
    if request.method == "POST":
        job = start_job(
            kind=BULK_CREATE_KIND,
            title=f"为{org.name}（含下级）班子成员开通账号",
            by=request.user,
            org=org,
            task=create_accounts_for_seat_holders_task,
        )
        return redirect("job", pk=job.pk)
    seats = domain.seats_needing_accounts(org)
    context = {
        "org": org,
        "seats": seats[:PER_PAGE],
        "member_count": seats.values("member").distinct().count(),
        "seat_count": seats.count(),
    }
    return render(request, "accounts/bulk.html", context)


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    """The user's own API tokens; a new key is shown once."""
    form = TokenForm(request.user, request.POST or None)
    context: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        token, key = domain.create_api_token(user=request.user, name=form.cleaned_data["name"])
        context = {"new_token": token, "new_key": key}
        form = TokenForm(request.user)
    context |= {"form": form, "tokens": request.user.api_tokens.order_by("revoked", "-created_at")}
    if "new_key" in context:
        return _once(request, "accounts/tokens.html", context)
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(request.user.api_tokens, pk=pk, revoked=False)
    domain.revoke_api_token(token=token)
    messages.success(request, f"令牌“{token.name}”已作废")
    return redirect("accounts:tokens")
