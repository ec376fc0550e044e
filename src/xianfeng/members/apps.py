from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "xianfeng.members"
    label = "members"
    verbose_name = "党员"
