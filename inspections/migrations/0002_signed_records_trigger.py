"""On PostgreSQL, refuse changes to signed inspections even from raw SQL.

The ORM guards (models.py) stop Django code; these triggers stop everything
else. Signing itself (signed_at going from NULL to a time) stays allowed.
"""

from django.db import migrations

from trace import db_triggers

SIGNED = "EXISTS (SELECT 1 FROM inspections_inspection WHERE id = {}.inspection_id AND signed_at IS NOT NULL)"

FUNCTIONS = [
    db_triggers.refusing_if(
        "inspections_refuse_signed_inspection",
        "OLD.signed_at IS NOT NULL",
        "inspection % is signed and cannot be changed or deleted",
        "OLD.id",
    ),
    db_triggers.Function(
        "inspections_refuse_signed_child",
        db_triggers.refuse_if(
            "TG_OP IN ('UPDATE', 'DELETE') AND " + SIGNED.format("OLD"),
            "inspection % is signed: its evidence cannot be changed",
            "OLD.inspection_id",
        )
        + db_triggers.refuse_if(
            "TG_OP IN ('INSERT', 'UPDATE') AND " + SIGNED.format("NEW"),
            "inspection % is signed: nothing can be added to it",
            "NEW.inspection_id",
        )
        + db_triggers.RETURN_ROW,
    ),
]

ALL_WRITES = ("INSERT", "UPDATE", "DELETE")
TRIGGERS = [
    db_triggers.Trigger(
        "inspections_inspection_signed_immutable",
        "inspections_inspection",
        "inspections_refuse_signed_inspection",
    ),
    db_triggers.Trigger(
        "inspections_result_signed_immutable",
        "inspections_inspectionresult",
        "inspections_refuse_signed_child",
        events=ALL_WRITES,
    ),
    db_triggers.Trigger(
        "inspections_attachment_signed_immutable",
        "inspections_inspectionattachment",
        "inspections_refuse_signed_child",
        events=ALL_WRITES,
    ),
]


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [db_triggers.triggers_operation(functions=FUNCTIONS, triggers=TRIGGERS)]
