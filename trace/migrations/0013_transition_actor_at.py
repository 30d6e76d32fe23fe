"""Transitions say who and when alike: `actor` and `at` (trace.models.Transition).

Renames only: no row changes, and no trigger or index names these columns.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("trace", "0012_catalogue_evidence"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(
            model_name="batchstatuschange", old_name="changed_by", new_name="actor"
        ),
        migrations.RenameField(
            model_name="batchstatuschange", old_name="changed_at", new_name="at"
        ),
        migrations.RenameField(
            model_name="catalogueentrystep", old_name="occurred_at", new_name="at"
        ),
        migrations.AlterModelOptions(
            name="batchstatuschange",
            options={
                "ordering": ["batch", "at", "id"],
                "verbose_name": "批次状态变更",
                "verbose_name_plural": "批次状态变更",
            },
        ),
        migrations.AlterModelOptions(
            name="catalogueentrystep",
            options={
                "ordering": ["entry", "at", "id"],
                "verbose_name": "目录认定步骤",
                "verbose_name_plural": "目录认定步骤",
            },
        ),
        migrations.AlterField(
            model_name="batchstatuschange",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                help_text="为空表示系统自动处理。",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        migrations.AlterField(
            model_name="catalogueentrystep",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                help_text="为空表示系统自动处理。",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        migrations.AlterField(
            model_name="catalogueentrystep",
            name="reason",
            field=models.TextField(blank=True, verbose_name="原因"),
        ),
    ]
