from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "xianfeng.dues"
    label = "dues"
    verbose_name = "党费"
