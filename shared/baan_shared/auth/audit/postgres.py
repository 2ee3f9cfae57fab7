"""Append-only in the database itself on PostgreSQL: a trigger refuses UPDATE,
DELETE and TRUNCATE on ``audit_log``, whoever the database user is.

In the service's migration that creates the table::

    from baan_shared.auth.audit.postgres import APPEND_ONLY_DOWNGRADE, APPEND_ONLY_UPGRADE

    def upgrade():
        ...create audit_log...
        if op.get_bind().dialect.name == "postgresql":
            for statement in APPEND_ONLY_UPGRADE:
                op.execute(statement)

    def downgrade():
        if op.get_bind().dialect.name == "postgresql":
            for statement in APPEND_ONLY_DOWNGRADE:
                op.execute(statement)
        ...drop audit_log...

SQLite has no users to revoke from; there the application simply never
updates or deletes (nothing in ``baan_shared.auth.audit`` does).
"""

APPEND_ONLY_UPGRADE: tuple[str, ...] = (
    """
    CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()
    """,
    """
    CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()
    """,
)

APPEND_ONLY_DOWNGRADE: tuple[str, ...] = (
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_no_update_or_delete ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_is_append_only()",
)
