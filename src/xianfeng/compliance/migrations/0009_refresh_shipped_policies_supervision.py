"""Refresh the stored copies of the shipped policies (TASK-01 … TASK-07).

The national policy gained the supervision.* parameters (issue 16: item deadlines by
severity, overdue grace, returns, re-inspection, progress reports, inspections, projects,
admonitions, duty reports). As in 0003, 0005, 0006 and 0008, each shipped
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
    dependencies = [("compliance", "0008_refresh_shipped_policies_late")]
    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
