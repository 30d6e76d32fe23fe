"""On PostgreSQL, refuse changes to accepted submissions and their history.

The services stop Django code from editing an accepted form; these triggers
stop everything else (raw SQL, bulk updates). The transitions are an
append-only audit trail.
"""

from django.db import migrations

from trace import db_triggers

FUNCTIONS = [
    db_triggers.refusing_if(
        "reports_refuse_accepted_submission",
        "OLD.status = 'accepted'",
        "submission % is accepted and cannot be changed or deleted",
        "OLD.id",
    ),
    db_triggers.refusing(
        "reports_refuse_transition_change",
        "submission transitions are append-only",
    ),
]

TRIGGERS = [
    db_triggers.Trigger(
        "reports_submission_accepted_immutable",
        "reports_submission",
        "reports_refuse_accepted_submission",
    ),
    db_triggers.Trigger(
        "reports_submissiontransition_append_only",
        "reports_submissiontransition",
        "reports_refuse_transition_change",
    ),
]


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_report_cycle")]

    operations = [db_triggers.triggers_operation(functions=FUNCTIONS, triggers=TRIGGERS)]
