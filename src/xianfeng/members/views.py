from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .queries import get_member_for_user


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {})


@login_required
def me(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {})


@login_required
def transfers(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {})


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    get_member_for_user(request.user, code)
    return render(request, "core/home.html", {})
