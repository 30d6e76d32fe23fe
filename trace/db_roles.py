"""The SQL that gives the app's PostgreSQL role row access and nothing more."""

from psycopg2 import sql

# django-simple-history names its tables <app>_historical<model>: the audit
# trail, which the app appends to and never changes (trace/audit.py).
HISTORY_MARK = "_historical"


ROLE_OPTIONS = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"


def app_role_create(*, role: str, password: str | None) -> sql.Composable:
    """Return the statement that creates the app role with no special powers."""
    statement = sql.SQL("CREATE ROLE {} " + ROLE_OPTIONS).format(sql.Identifier(role))
    if password:
        statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
    return statement


def app_role_restrict(*, role: str) -> sql.Composable:
    """Return the statement that takes any special powers from an existing role."""
    return sql.SQL("ALTER ROLE {} " + ROLE_OPTIONS).format(sql.Identifier(role))


def app_role_grants(
    *, role: str, database: str, owner: str, tables: list[str]
) -> list[sql.Composable]:
    """Return the statements that give the app role row access and nothing more.

    On the tables: SELECT, INSERT, UPDATE, DELETE (history tables: SELECT,
    INSERT); on sequences USAGE, SELECT; no TRUNCATE, no CREATE.
    """
    name = sql.Identifier(role)
    statements = [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            sql.Identifier(database), name
        ),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name),
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM {}").format(name),
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(name),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(
            name
        ),
        # Tables the owner creates later (the next release's migrations) are
        # usable at once; the next run of this command narrows history tables.
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(sql.Identifier(owner), name),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
            "GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(sql.Identifier(owner), name),
    ]
    for table in tables:
        privileges = (
            "SELECT, INSERT"
            if HISTORY_MARK in table
            else "SELECT, INSERT, UPDATE, DELETE"
        )
        statements.append(
            sql.SQL("GRANT {} ON TABLE {} TO {}").format(
                sql.SQL(privileges), sql.Identifier(table), name
            )
        )
    return statements
