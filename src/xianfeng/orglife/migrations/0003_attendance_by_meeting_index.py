"""Attendance gets a (meeting, status, member) index in place of the meeting FK's own.

The FK index is dropped by name (Django names it the same on SQLite and PostgreSQL):
altering the field instead would make SQLite copy the whole attendance table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_initial"),
        ("orglife", "0002_historicalaffairsrecord_affairsrecord"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="attendance",
                    name="meeting",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attendance",
                        to="orglife.meeting",
                        verbose_name="会议",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS orglife_attendance_meeting_id_a0041894",
                    reverse_sql=(
                        "CREATE INDEX orglife_attendance_meeting_id_a0041894"
                        " ON orglife_attendance (meeting_id)"
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="attendance",
            index=models.Index(
                fields=["meeting", "status", "member"], name="orglife_att_by_meeting"
            ),
        ),
    ]
