"""Forms of the account pages; the writes go through `accounts.domain`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html

from . import throttle
from .models import Role, User


def check_own_password(user: User, password: str, wrong: str) -> None:
    """The current password of the signed-in user, under the per-account delay: a stolen
    session cannot guess it faster than a login could."""
    wait = throttle.seconds_to_wait(user.username)
    if wait:
        raise forms.ValidationError(throttle.wait_message(wait), code="throttled")
    if not user.check_password(password):
        throttle.record_failure(user.username)
        raise forms.ValidationError(wrong, code="wrong_password")
    throttle.clear_failures(user.username)


class LoginForm(AuthenticationForm):
    """The login form under the per-account delay (django-axes locks username + address)."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        wait = throttle.seconds_to_wait(username) if username else 0
        if wait:
            raise forms.ValidationError(throttle.wait_message(wait), code="throttled")
        try:
            data = super().clean()
        except forms.ValidationError as error:
            locked_out = getattr(self.request, "axes_locked_out", False)
            if error.code == "invalid_login" and username and not locked_out:
                throttle.record_failure(username)
            raise
        throttle.clear_failures(username)
        return data


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="原密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label="新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label="再次输入新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        check_own_password(self.user, old, "原密码不正确")
        return old

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new1, new2 = data.get("new_password1"), data.get("new_password2")
        if new1 and new2 and new1 != new2:
            self.add_error("new_password2", "两次输入的新密码不一致")
        elif new1 and new1 == data.get("old_password"):
            self.add_error("new_password1", "新密码不能与原密码相同")
        return data


def _role_field() -> forms.ChoiceField:
    return forms.ChoiceField(label="岗位", choices=Role.choices, initial=Role.OFFICER)


def _org_field() -> forms.CharField:
    return forms.CharField(
        label="党组织编码", max_length=40, help_text="岗位覆盖该组织及其全部下级组织"
    )


class AccountCreateForm(forms.Form):
    username = forms.CharField(
        label="用户名", max_length=150, help_text="登录用，建议用工号或党员编号"
    )
    display_name = forms.CharField(label="姓名", max_length=150)
    org = _org_field()
    role = _role_field()
    member = forms.CharField(
        label="对应党员编号", max_length=40, required=False, help_text="选填：账号本人是党员时填写"
    )


class PostForm(forms.Form):
    org = _org_field()
    role = _role_field()


class LinkMemberForm(forms.Form):
    member = forms.CharField(label="党员编号", max_length=40)


class TokenForm(forms.Form):
    """A new API token: only with the account's current password (a token is a credential)."""

    name = forms.CharField(label="用途", max_length=100, help_text="如：数据同步脚本")
    password = forms.CharField(
        label="当前密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="生成令牌须再次输入登录密码",
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        check_own_password(self.user, password, "密码不正确")
        return password


class BulkCreateForm(forms.Form):
    org = forms.CharField(label="党组织编码", max_length=40)


class SearchForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=100)
