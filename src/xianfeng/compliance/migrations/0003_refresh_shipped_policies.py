"""Refresh the stored copies of the shipped policies (ORG-07, ORG-08 parameters).

The national policy gained org.contact.leader_kinds, *_per_quarter and org.venue.*, which
every evaluation reads; databases migrated before hold copies without them. Each shipped
policy is rewritten from its file (title, source, text, values), keeping the org it is
attached to; a policy missing from the database is created, as 0002 does. Local edits of a
shipped policy made since are replaced by the shipped text.
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
    dependencies = [("compliance", "0002_shipped_policies")]
    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
