-- Sign API schema, version 4: what the sign-worker's retention job needs (docs/ARCHITECTURE.md, "Retention").
-- MariaDB 10.11 and MySQL 8: no server-specific syntax.

-- Messages old enough to purge once no request refers to them: WHERE created_at < ? (a range, never a full scan).
CREATE INDEX ix_sign_message_created ON sign_message (created_at);
