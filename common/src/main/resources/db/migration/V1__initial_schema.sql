-- Sign API schema (DESIGN.md, "MySQL"); MariaDB 10.11 and MySQL 8.
-- Instants are stored as UTC TIMESTAMP(6). NOT NULL timestamps carry an explicit default so that servers with
-- explicit_defaults_for_timestamp=OFF do not add ON UPDATE CURRENT_TIMESTAMP to them.

-- One row per accepted request.
CREATE TABLE sign_request (
    id               CHAR(36)      NOT NULL,
    message_hash     CHAR(64)      NOT NULL,
    email            VARCHAR(320)  NULL,
    webhook          VARCHAR(2048) NULL,
    idempotency_key  VARCHAR(128)  NULL,
    status           VARCHAR(16)   NOT NULL,
    attempts         INT           NOT NULL DEFAULT 0,
    created_at       TIMESTAMP(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    completed_at     TIMESTAMP(6)  NULL,
    result_published BOOLEAN       NOT NULL DEFAULT FALSE,
    PRIMARY KEY (id),
    CONSTRAINT uq_sign_request_idempotency_key UNIQUE (idempotency_key),
    CONSTRAINT ck_sign_request_status CHECK (status IN ('PENDING', 'SIGNED', 'FAILED'))
);

-- The requests waiting for one message: SELECT ... WHERE message_hash = ? AND status = 'PENDING'.
CREATE INDEX ix_sign_request_message_status ON sign_request (message_hash, status);
-- Pending counts and the max-age sweep: WHERE status = 'PENDING' AND created_at < ?.
CREATE INDEX ix_sign_request_status_created ON sign_request (status, created_at);
-- The outbox scan: WHERE result_published = FALSE AND completed_at IS NOT NULL ORDER BY completed_at.
CREATE INDEX ix_sign_request_outbox ON sign_request (result_published, completed_at);

-- One row per distinct message: its signature once known, and its retry schedule and claim.
-- next_attempt_at is NULL once the message is signed or given up, so only due-able messages are in its index.
CREATE TABLE sign_message (
    message_hash     CHAR(64)     NOT NULL,
    message          TEXT         NOT NULL,
    signature        VARCHAR(512) NULL,
    attempts         INT          NOT NULL DEFAULT 0,
    first_failure_at TIMESTAMP(6) NULL,
    last_failure_at  TIMESTAMP(6) NULL,
    next_attempt_at  TIMESTAMP(6) NULL,
    claimed_until    TIMESTAMP(6) NULL,
    claimed_by       VARCHAR(64)  NULL,
    created_at       TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    signed_at        TIMESTAMP(6) NULL,
    PRIMARY KEY (message_hash)
);

-- The worker's claim of due messages, which must read through this index: with SKIP LOCKED a scan without it
-- locks every row it reads and a second worker gets nothing. The worker's query:
--   SELECT message_hash FROM sign_message
--   WHERE next_attempt_at <= ? AND signature IS NULL
--   ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED
-- (a lease in claimed_until/claimed_by then keeps the claim across the upstream call, outside the transaction).
CREATE INDEX ix_sign_message_next_attempt ON sign_message (next_attempt_at);

-- One row per request and delivery channel, for at-least-once delivery with de-duplication.
CREATE TABLE notification (
    request_id   CHAR(36)      NOT NULL,
    channel      VARCHAR(16)   NOT NULL,
    status       VARCHAR(16)   NOT NULL,
    attempts     INT           NOT NULL DEFAULT 0,
    last_error   VARCHAR(1024) NULL,
    delivered_at TIMESTAMP(6)  NULL,
    created_at   TIMESTAMP(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at   TIMESTAMP(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (request_id, channel),
    CONSTRAINT ck_notification_channel CHECK (channel IN ('EMAIL', 'WEBHOOK'))
);
