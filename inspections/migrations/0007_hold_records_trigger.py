"""On PostgreSQL, refuse rewriting how a hold was lifted, even from raw SQL.

A release (HoldRelease) never changes or goes away. A hold's cause may
only gain the lab result that covered it, once; nothing else of it changes.
"""

from django.db import migrations

from trace import db_triggers

FUNCTIONS = [
    db_triggers.refusing(
        "inspections_refuse_hold_release_change",
        "hold release % is a signed record and cannot be changed or deleted",
        "OLD.id",
    ),
    db_triggers.Function(
        "inspections_refuse_hold_cause_change",
        db_triggers.refuse_if(
            "TG_OP = 'DELETE'"
            " OR OLD.covered_by_id IS NOT NULL"
            " OR NEW.hold_id <> OLD.hold_id"
            " OR NEW.batch_id <> OLD.batch_id"
            " OR NEW.result_id <> OLD.result_id"
            " OR NEW.analyte_id IS DISTINCT FROM OLD.analyte_id"
            " OR NEW.analyte_class_id IS DISTINCT FROM OLD.analyte_class_id",
            "hold cause % is a signed record: only its covering result may be set, once",
            "OLD.id",
        )
        + "    RETURN NEW;\n",
    ),
]

TRIGGERS = [
    db_triggers.Trigger(
        "inspections_holdrelease_immutable",
        "inspections_holdrelease",
        "inspections_refuse_hold_release_change",
    ),
    db_triggers.Trigger(
        "inspections_holdcause_immutable",
        "inspections_holdcause",
        "inspections_refuse_hold_cause_change",
    ),
]


class Migration(migrations.Migration):
    dependencies = [("inspections", "0006_hold_causes")]

    operations = [db_triggers.triggers_operation(functions=FUNCTIONS, triggers=TRIGGERS)]
