"""Refresh the stored copies of the shipped policies (LIFE-07, LIFE-08, reminders, STUDY).

The national policy gained the keys of party-affairs openness and reports (LIFE-07), talks
and the ideological analysis (LIFE-08), the reminder lead time of the yearly meeting plan,
and the study keys (STUDY-01, STUDY-03, STUDY-04); seeds 000, 003 and 004 state local values
for some of them. As in 0003 and 0005, each shipped policy is rewritten from its file (title,
source, text, values), keeping the org it is attached to; a policy missing from the database
is created. Local edits of a shipped policy made since are replaced by the shipped text.
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
    dependencies = [("compliance", "0005_refresh_shipped_policies_life")]
    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
