"""Refresh the stored copies of the shipped policies (DEV-01 … DEV-07, MEM-03, MEM-04).

The national policy gained the recruitment.* and members.* parameters (issue 17: the
time rules of member development, cultivation, pairing, targets, tags and dual-lead
members); 000 and 001 gained their values. As in 0003 … 0009, each shipped
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
    dependencies = [("compliance", "0009_refresh_shipped_policies_supervision")]
    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
