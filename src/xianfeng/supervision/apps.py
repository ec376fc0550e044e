from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "xianfeng.supervision"
    label = "supervision"
    verbose_name = "清单督查"

    def ready(self) -> None:
        from xianfeng.compliance.signals import run_stored

        from .domain.findings import on_run_stored

        # items made from findings learn whether a later check still reports them
        run_stored.connect(on_run_stored, dispatch_uid="supervision.findings")
