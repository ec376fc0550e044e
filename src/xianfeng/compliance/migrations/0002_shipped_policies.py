"""Store the shipped policies (national + the five seed documents) and the confirmed
holiday years; re-running `xianfeng migrate` later does not overwrite edited policies."""

from django.db import migrations


def load(apps, schema_editor):
    from xianfeng.compliance.domain import CONFIRMED_YEARS
    from xianfeng.compliance.policy import parse_policy, shipped_files

    Policy = apps.get_model("compliance", "Policy")
    CalendarYear = apps.get_model("compliance", "CalendarYear")
    for path in shipped_files():
        text = path.read_text(encoding="utf-8")
        parsed = parse_policy(text)
        Policy.objects.get_or_create(code=parsed.code, defaults={
            "title": parsed.title, "source": parsed.source, "text": text,
            "values": parsed.values})
    for year in CONFIRMED_YEARS:
        CalendarYear.objects.get_or_create(year=year, defaults={"confirmed": True})


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
