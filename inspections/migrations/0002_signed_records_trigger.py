"""On PostgreSQL, refuse changes to signed inspections even from raw SQL.

The ORM guards (models.py) stop Django code; these triggers stop everything
else. Signing itself (signed_at going from NULL to a time) stays allowed.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION inspections_refuse_signed_inspection() RETURNS trigger AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL THEN
        RAISE EXCEPTION 'inspection % is signed and cannot be changed or deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION inspections_refuse_signed_child() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
        SELECT 1 FROM inspections_inspection WHERE id = OLD.inspection_id AND signed_at IS NOT NULL
    ) THEN
        RAISE EXCEPTION 'inspection % is signed: its evidence cannot be changed', OLD.inspection_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
        SELECT 1 FROM inspections_inspection WHERE id = NEW.inspection_id AND signed_at IS NOT NULL
    ) THEN
        RAISE EXCEPTION 'inspection % is signed: nothing can be added to it', NEW.inspection_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER inspections_inspection_signed_immutable
    BEFORE UPDATE OR DELETE ON inspections_inspection
    FOR EACH ROW EXECUTE FUNCTION inspections_refuse_signed_inspection();
CREATE TRIGGER inspections_result_signed_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON inspections_inspectionresult
    FOR EACH ROW EXECUTE FUNCTION inspections_refuse_signed_child();
CREATE TRIGGER inspections_attachment_signed_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON inspections_inspectionattachment
    FOR EACH ROW EXECUTE FUNCTION inspections_refuse_signed_child();
"""

DROP = """
DROP TRIGGER IF EXISTS inspections_attachment_signed_immutable ON inspections_inspectionattachment;
DROP TRIGGER IF EXISTS inspections_result_signed_immutable ON inspections_inspectionresult;
DROP TRIGGER IF EXISTS inspections_inspection_signed_immutable ON inspections_inspection;
DROP FUNCTION IF EXISTS inspections_refuse_signed_child();
DROP FUNCTION IF EXISTS inspections_refuse_signed_inspection();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
