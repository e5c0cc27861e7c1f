-- Sign API schema, version 3 (docs/ARCHITECTURE.md, "MySQL"). MariaDB 10.11 and MySQL 8.

-- The sign-worker's recovery estimate reads the latest degradations: WHERE first_failure_at >= ? ORDER BY it.
CREATE INDEX ix_sign_message_first_failure ON sign_message (first_failure_at);
