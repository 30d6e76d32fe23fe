"""PostgreSQL triggers that refuse changes to evidence, built for migrations.

Signed inspections, lifted holds, accepted forms and the audit history
(trace/audit.py) cannot be changed through the ORM (the services, models and
admin refuse); on PostgreSQL a row trigger refuses them too, so raw SQL and
bulk updates are caught (DESIGN.md, "Evidence"). A migration declares its
functions and triggers with this module and adds `triggers_operation(...)`;
the SQL is written here once. On SQLite (the embedded default) the operation
does nothing: the app layer is the guard.

trace is the lowest layer, so every app's migrations may import this. What
a migration builds must not change once it has run somewhere: change a
trigger with a new migration, never by editing what an old one declares.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import migrations

# What a refused change raises: SQLSTATE 23000, which Django's PostgreSQL
# backend turns into IntegrityError.
REFUSED = "integrity_constraint_violation"
# The end of a BEFORE trigger that lets the change through.
RETURN_ROW = """    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
"""


def refuse(message: str, *args: str, indent: int = 4, errcode: str = REFUSED) -> str:
    """Return a RAISE that refuses the change; `%` in `message` take `args`.

    `errcode` is the condition name raised (PostgreSQL, Appendix A).
    """
    pad = " " * indent
    values = "".join(f", {arg}" for arg in args)
    return (
        f"{pad}RAISE EXCEPTION '{message}'{values}\n"
        f"{pad}    USING ERRCODE = '{errcode}';\n"
    )


def refuse_if(condition: str, message: str, *args: str) -> str:
    """Return an IF that refuses the change when `condition` holds."""
    return (
        f"    IF {condition} THEN\n"
        + refuse(message, *args, indent=8)
        + "    END IF;\n"
    )


@dataclass(frozen=True)
class Function:
    """A PL/pgSQL trigger function: `body` is what goes between BEGIN and END.

    A `shared` function is called by triggers that several migrations create:
    each of them creates (or replaces) it, and none drops it when reversed,
    since the others' triggers still call it.
    """

    name: str
    body: str
    shared: bool = False

    def create_sql(self) -> str:
        return (
            f"CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger AS $$\n"
            f"BEGIN\n{self.body}END;\n$$ LANGUAGE plpgsql;\n"
        )

    def drop_sql(self) -> str:
        return f"DROP FUNCTION IF EXISTS {self.name}();\n"


def refusing(
    name: str,
    message: str,
    *args: str,
    errcode: str = REFUSED,
    shared: bool = False,
) -> Function:
    """Return a function that refuses every change it is asked about."""
    return Function(name, refuse(message, *args, errcode=errcode), shared=shared)


def refusing_if(name: str, condition: str, message: str, *args: str) -> Function:
    """Return a function that refuses a change when `condition` holds."""
    return Function(name, refuse_if(condition, message, *args) + RETURN_ROW)


@dataclass(frozen=True)
class Trigger:
    """A row trigger run BEFORE `events` on `table`, calling `function`."""

    name: str
    table: str
    function: str
    events: Sequence[str] = ("UPDATE", "DELETE")

    def create_sql(self) -> str:
        return (
            f"CREATE TRIGGER {self.name}\n"
            f"    BEFORE {' OR '.join(self.events)} ON {self.table}\n"
            f"    FOR EACH ROW EXECUTE FUNCTION {self.function}();\n"
        )

    def drop_sql(self) -> str:
        return f"DROP TRIGGER IF EXISTS {self.name} ON {self.table};\n"


def create_sql(functions: Sequence[Function], triggers: Sequence[Trigger]) -> str:
    """Return the SQL that creates `functions`, then `triggers`."""
    return "\n".join(
        [function.create_sql() for function in functions]
        + ["".join(trigger.create_sql() for trigger in triggers)]
    )


def drop_sql(functions: Sequence[Function], triggers: Sequence[Trigger]) -> str:
    """Return the SQL that drops `triggers`, then `functions`, newest first.

    Shared functions stay: other migrations' triggers call them.
    """
    return "".join(
        [trigger.drop_sql() for trigger in reversed(triggers)]
        + [
            function.drop_sql()
            for function in reversed(functions)
            if not function.shared
        ]
    )


def triggers_operation(
    *, functions: Sequence[Function], triggers: Sequence[Trigger]
) -> migrations.RunPython:
    """Return a migration operation creating (reversed: dropping) the triggers.

    PostgreSQL only; on other databases forwards and backwards do nothing.
    """
    functions, triggers = tuple(functions), tuple(triggers)

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create_sql(functions, triggers), params=None)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(drop_sql(functions, triggers), params=None)

    return migrations.RunPython(forwards, backwards, elidable=False)
