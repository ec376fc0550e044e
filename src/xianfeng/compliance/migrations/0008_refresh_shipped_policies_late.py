"""Refresh the stored copies of the shipped policies (LIFE-05 late life meetings).

The national policy gained life.life_meeting.late_severity, the severity of a yearly life
meeting held after its year's due date (issue 23). As in 0003, 0005 and 0006, each shipped
policy is rewritten from its file (title, source, text, values), keeping the org it is
attached to; a policy missing from the database is created. Local edits of a shipped policy
made since are replaced by the shipped text.
"""

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
    dependencies = [("compliance", "0007_policy_follows")]
    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
