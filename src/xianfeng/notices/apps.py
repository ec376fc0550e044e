from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "xianfeng.notices"
    label = "notices"
    verbose_name = "通知"
