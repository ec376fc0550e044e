"""The `xianfeng` command: own commands plus every Django command passed through.

`xianfeng check` is the compliance check; Django's system check is `xianfeng systemcheck`.
The command line acts with full rights and is recorded in the history as the command
line itself, unless `--as USERNAME` is given (then with that user's rights and name).
"""

from __future__ import annotations

import os
import shlex
import sys

RENAMED = {"check": "compliance_check", "systemcheck": "check"}
OWN = (
    "quickstart",
    "demo",
    "worker",
    "serve",
    "check",
    "policy",
    "import",
    "export",
    "bench",
    "remind",
    "dues",
    "rotate_id_keys",
    "backup",
    "restore",
    "systemcheck",
)


def _pop_as(argv: list[str]) -> tuple[list[str], str | None]:
    username = None
    rest: list[str] = []
    skip = False
    for index, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--as" and index + 1 < len(argv):
            username, skip = argv[index + 1], True
        elif arg.startswith("--as="):
            username = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return rest, username


def _usage() -> str:
    return (
        "用法: xianfeng COMMAND [选项] [--as 用户名]\n"
        f"本系统命令: {', '.join(OWN)}\n"
        "其余命令交给 Django（如 xianfeng migrate、xianfeng createsuperuser）；\n"
        "Django 的系统检查: xianfeng systemcheck；xianfeng check 为合规检查。"
    )


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xianfeng.settings")
    argv, username = _pop_as(argv)
    if len(argv) < 2 or argv[1] in {"-h", "--help", "help"}:
        print(_usage())
        if len(argv) < 2:
            return
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    from xianfeng.core.actor import acting_as

    user = _resolve_user(username)
    via = "cli: xianfeng " + " ".join(shlex.quote(a) for a in argv[1:])
    command = RENAMED.get(argv[1], argv[1])
    with acting_as(user, via):
        execute_from_command_line([argv[0], command, *argv[2:]])


def _resolve_user(username: str | None):  # type: ignore[no-untyped-def]
    if username is None:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        print(f"错误：没有名为“{username}”的有效用户（--as）", file=sys.stderr)
        raise SystemExit(2)
    return user


if __name__ == "__main__":
    main()
