"""The client address django-axes locks (PLAT-01), and nothing a client can forge.

Without a configured proxy the address is REMOTE_ADDR: a client-sent X-Forwarded-For is
ignored. Behind XIANFENG_TRUSTED_PROXY_COUNT reverse proxies, each of which appends the
address it received the request from, the client is the entry that many places from the
right of X-Forwarded-For (anything left of it was written by the client).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = getattr(settings, "XIANFENG_TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    if len(hops) < count:  # not through all the proxies: trust only the socket
        return remote
    return hops[-count]
