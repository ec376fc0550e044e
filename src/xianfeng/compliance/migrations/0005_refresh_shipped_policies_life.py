"""Refresh the stored copies of the shipped policies (LIFE-02, LIFE-05 parameters).

The national policy gained life.party_lesson.leading_cadre_min_per_year,
life.life_meeting.grace_months and life.leadership_life_meeting.min_per_year, which the
organizational-life rules read; seed 003 states local values for them. Databases migrated
before hold copies without these keys. As in 0003, each shipped policy is rewritten from
its file (title, source, text, values), keeping the org it is attached to; a policy missing
from the database is created. Local edits of a shipped policy made since are replaced by
the shipped text.
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
    dependencies = [("compliance", "0004_run_stale_since")]
    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
