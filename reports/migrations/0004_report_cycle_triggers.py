"""On PostgreSQL, refuse changes to accepted submissions and their history.

The services stop Django code from editing an accepted form; these triggers
stop everything else (raw SQL, bulk updates). The transitions are an
append-only audit trail.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION reports_refuse_accepted_submission() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'accepted' THEN
        RAISE EXCEPTION 'submission % is accepted and cannot be changed or deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION reports_refuse_transition_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'submission transitions are append-only'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER reports_submission_accepted_immutable
    BEFORE UPDATE OR DELETE ON reports_submission
    FOR EACH ROW EXECUTE FUNCTION reports_refuse_accepted_submission();
CREATE TRIGGER reports_submissiontransition_append_only
    BEFORE UPDATE OR DELETE ON reports_submissiontransition
    FOR EACH ROW EXECUTE FUNCTION reports_refuse_transition_change();
"""

DROP = """
DROP TRIGGER IF EXISTS reports_submissiontransition_append_only ON reports_submissiontransition;
DROP TRIGGER IF EXISTS reports_submission_accepted_immutable ON reports_submission;
DROP FUNCTION IF EXISTS reports_refuse_transition_change();
DROP FUNCTION IF EXISTS reports_refuse_accepted_submission();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_report_cycle")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
