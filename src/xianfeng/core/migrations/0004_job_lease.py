from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce


def expire_running_jobs(apps, schema_editor):
    """Jobs left running by the worker stopped for this upgrade get a lease that has
    already expired: the next worker start marks them failed."""
    Job = apps.get_model("core", "Job")
    Job.objects.filter(status="running").update(
        lease_until=Coalesce(F("started_at"), F("created_at"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_export_record"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="lease_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="租约到期"),
        ),
        migrations.RunPython(expire_running_jobs, migrations.RunPython.noop),
    ]
