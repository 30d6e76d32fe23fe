"""On PostgreSQL, refuse rewriting how a hold was lifted, even from raw SQL.

A release (HoldRelease) never changes or goes away. A hold's cause may
only gain the lab result that covered it, once; nothing else of it changes.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION inspections_refuse_hold_release_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'hold release % is a signed record and cannot be changed or deleted', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION inspections_refuse_hold_cause_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
        OR OLD.covered_by_id IS NOT NULL
        OR NEW.hold_id <> OLD.hold_id
        OR NEW.batch_id <> OLD.batch_id
        OR NEW.result_id <> OLD.result_id
        OR NEW.analyte_id IS DISTINCT FROM OLD.analyte_id
        OR NEW.analyte_class_id IS DISTINCT FROM OLD.analyte_class_id
    THEN
        RAISE EXCEPTION 'hold cause % is a signed record: only its covering result may be set, once', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER inspections_holdrelease_immutable
    BEFORE UPDATE OR DELETE ON inspections_holdrelease
    FOR EACH ROW EXECUTE FUNCTION inspections_refuse_hold_release_change();
CREATE TRIGGER inspections_holdcause_immutable
    BEFORE UPDATE OR DELETE ON inspections_holdcause
    FOR EACH ROW EXECUTE FUNCTION inspections_refuse_hold_cause_change();
"""

DROP = """
DROP TRIGGER IF EXISTS inspections_holdcause_immutable ON inspections_holdcause;
DROP TRIGGER IF EXISTS inspections_holdrelease_immutable ON inspections_holdrelease;
DROP FUNCTION IF EXISTS inspections_refuse_hold_cause_change();
DROP FUNCTION IF EXISTS inspections_refuse_hold_release_change();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0006_hold_causes")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
