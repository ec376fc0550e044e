"""Refresh the stored copies of the shipped policies: the national policy gained the dues
parameters (dues.*, DUES-01 and DUES-02), lately dues.payment.default_day, the payment day
of a branch that set none, which the dues reminders read. As in 0003 … 0011, each shipped
policy is rewritten from its file, keeping the org it is attached to."""

from django.db import migrations


def refresh(apps, schema_editor):
    from xianfeng.compliance.policy import parse_policy, shipped_files

    Policy = apps.get_model("compliance", "Policy")
    for path in shipped_files():
        text = path.read_text(encoding="utf-8")
        parsed = parse_policy(text)
        Policy.objects.update_or_create(
            code=parsed.code,
            defaults={
                "title": parsed.title,
                "source": parsed.source,
                "text": text,
                "values": parsed.values,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0011_refresh_shipped_policies_review_note")]
    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
