from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xianfeng.accounts"
    label = "accounts"
    verbose_name = "账号"
