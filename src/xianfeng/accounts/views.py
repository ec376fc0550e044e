from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {})


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {})
