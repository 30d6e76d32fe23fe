"""Create or update the PostgreSQL role the web app and workers connect as.

Migrations run as the owner of the tables (DATABASE_OWNER_URL); the app
connects as a role that owns nothing (DATABASE_URL) and holds only what it
needs: SELECT, INSERT, UPDATE, DELETE on the tables, and only SELECT and
INSERT on the audit history tables. Without ownership it cannot TRUNCATE
(which skips row triggers), ALTER TABLE ... DISABLE TRIGGER, or drop a
trigger; without superuser it cannot SET session_replication_role (which
switches triggers off). So the signed-record and append-only triggers hold
against the application's own credentials.

Run it as the owner after every `migrate` (make migrate does), so that new
tables are granted too; default privileges cover tables created in between.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from trace.db_roles import (
    ROLE_OPTIONS,
    app_role_create,
    app_role_grants,
    app_role_restrict,
)


class Command(BaseCommand):
    help = (
        "Create the app's database role (named by DATABASE_URL) if missing and "
        "grant it row access only; connect as the owner (DATABASE_OWNER_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database",
            default=None,
            help="alias to connect as the owner (default: 'owner' if set, else "
            "'default')",
        )
        parser.add_argument(
            "--role", default=None, help="role name (default: DATABASE_URL's user)"
        )
        parser.add_argument(
            "--password",
            default=None,
            help="role password (default: DATABASE_URL's password)",
        )

    def handle(self, *args, database, role, password, **options):
        alias = database or ("owner" if "owner" in connections else "default")
        owner = connections[alias]
        if owner.vendor != "postgresql":
            raise CommandError("Database roles exist on PostgreSQL only.")
        app = connections["default"].settings_dict
        role = role or app["USER"]
        password = password if password is not None else app["PASSWORD"]
        if not role:
            raise CommandError("Name the role: --role, or a user in DATABASE_URL.")
        with owner.cursor() as cursor:
            statements = self._role_statements(cursor, role=role, password=password)
            cursor.execute("SELECT current_user")
            [current] = cursor.fetchone()
            tables = owner.introspection.table_names(cursor)
            statements += app_role_grants(
                role=role,
                database=owner.settings_dict["NAME"],
                owner=current,
                tables=tables,
            )
            for statement in statements:
                cursor.execute(statement.as_string(owner.connection))
        self.stdout.write(f"role {role}: row access to {len(tables)} tables, owns none")

    def _role_statements(self, cursor, *, role: str, password: str) -> list:
        """Return the statements that create or restrict the role, or raise."""
        cursor.execute(
            "SELECT rolname, rolsuper, rolcreaterole FROM pg_roles "
            "WHERE rolname = current_user"
        )
        current, superuser, createrole = cursor.fetchone()
        if role == current:
            raise CommandError(
                f"The app role {role!r} is the owner you connect as: set "
                "DATABASE_URL to another role than DATABASE_OWNER_URL."
            )
        may_manage_roles = superuser or createrole
        cursor.execute(
            "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication "
            "OR rolbypassrls FROM pg_roles WHERE rolname = %s",
            [role],
        )
        found = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE r.rolname = %s AND n.nspname = 'public'",
            [role],
        )
        [owned] = cursor.fetchone()
        if owned:
            raise CommandError(
                f"The app role {role!r} owns {owned} objects; as a superuser run "
                f'REASSIGN OWNED BY "{role}" TO "{current}" first.'
            )
        if found is None:
            if not may_manage_roles:
                raise CommandError(
                    f"Role {role!r} does not exist and {current!r} may not create "
                    f'roles. As a superuser run: CREATE ROLE "{role}" LOGIN '
                    "PASSWORD '…'; then run this command again."
                )
            return [app_role_create(role=role, password=password or None)]
        [powerful] = found
        if powerful:
            if not may_manage_roles:
                raise CommandError(
                    f"Role {role!r} has superuser, CREATEROLE, CREATEDB, "
                    f"REPLICATION or BYPASSRLS; as a superuser run: "
                    f'ALTER ROLE "{role}" {ROLE_OPTIONS};'
                )
            return [app_role_restrict(role=role)]
        return []
