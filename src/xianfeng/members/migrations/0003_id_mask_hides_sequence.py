"""Re-mask stored ID numbers (issue 12, problem 11).

The old mask (``320583********1990``) hid exactly the birth digits, which every viewer
also sees as the birth date. The new mask shows region and birth date and hides the
sequence code and check character (``32058319910712****``). The birth date of the same
row is the number's birth date (checked at registration), so no key is needed.
"""

from django.db import migrations

OLD_HIDDEN = "********"


def _remask(model):
    changed = []
    rows = model.objects.only("pk", "id_number_masked", "birth_date")
    for row in rows.iterator(chunk_size=2000):
        masked = row.id_number_masked
        if len(masked) != 18 or masked[6:14] != OLD_HIDDEN or row.birth_date is None:
            continue
        row.id_number_masked = f"{masked[:6]}{row.birth_date:%Y%m%d}****"
        changed.append(row)
        if len(changed) >= 2000:
            model.objects.bulk_update(changed, ["id_number_masked"])
            changed = []
    model.objects.bulk_update(changed, ["id_number_masked"])


def remask(apps, schema_editor):
    _remask(apps.get_model("members", "Member"))
    _remask(apps.get_model("members", "HistoricalMember"))


class Migration(migrations.Migration):
    dependencies = [("members", "0002_initial")]

    operations = [migrations.RunPython(remask, migrations.RunPython.noop)]
