from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "xianfeng.supervision"
    label = "supervision"
    verbose_name = "清单督查"
