from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "xianfeng.recruitment"
    label = "recruitment"
    verbose_name = "发展党员和人才培养"
