from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "xianfeng.compliance"
    label = "compliance"
    verbose_name = "合规检查"

    def ready(self) -> None:
        from . import freshness  # noqa: F401  (connects the history receiver)
        from .notify import on_run_stored
        from .signals import run_stored

        run_stored.connect(on_run_stored, dispatch_uid="compliance.notify")
