from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "xianfeng.dues"
    label = "dues"
    verbose_name = "党费"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from xianfeng.core.importing import data_imported
        from xianfeng.members.models import Member, Placement, StatusSpell

        from . import follow

        # the ledger's lines follow the roster (dues.follow)
        for model in (Member, Placement, StatusSpell):
            for signal in (post_save, post_delete):
                signal.connect(
                    follow.member_changed,
                    sender=model,
                    dispatch_uid=f"dues.{model.__name__}.{signal}",
                )
        data_imported.connect(follow.data_imported, dispatch_uid="dues.imported")
