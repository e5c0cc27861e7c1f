-- Sign API schema, version 2: what the sign-worker and the notifier need (docs/ARCHITECTURE.md, "MySQL").
-- MariaDB 10.11 and MySQL 8: no server-specific syntax. Instants are UTC TIMESTAMP(6).

-- One row per upstream sign call, from the gateway (direct calls) or a worker instance.
CREATE TABLE sign_attempt (
    id           BIGINT       NOT NULL AUTO_INCREMENT,
    message_hash CHAR(64)     NOT NULL,
    caller       VARCHAR(16)  NOT NULL,
    instance_id  VARCHAR(64)  NOT NULL,
    started_at   TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    finished_at  TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    outcome      VARCHAR(16)  NOT NULL,
    http_status  INT          NULL,
    latency_ms   INT          NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT ck_sign_attempt_caller CHECK (caller IN ('GATEWAY', 'WORKER')),
    CONSTRAINT ck_sign_attempt_outcome CHECK (outcome IN ('SIGNED', 'DEGRADED', 'RATE_LIMITED', 'FAILED', 'REJECTED'))
);

-- A message's history (ops) and the scheduler's recovery estimates: WHERE message_hash = ?.
CREATE INDEX ix_sign_attempt_message ON sign_attempt (message_hash, started_at);
-- Recent attempts (first-call success rate, calls per signature, retention): WHERE started_at >= ?.
CREATE INDEX ix_sign_attempt_started ON sign_attempt (started_at);

-- The worker's estimate of when the message will be signed (the status endpoint's estimatedReadyAt).
ALTER TABLE sign_message ADD COLUMN expected_at TIMESTAMP(6) NULL;

-- Why a FAILED request failed: EXPIRED (not signed within signing.max-age) or REJECTED (the upstream refused it).
ALTER TABLE sign_request ADD COLUMN failure_reason VARCHAR(16) NULL;
ALTER TABLE sign_request ADD CONSTRAINT ck_sign_request_failure_reason
    CHECK (failure_reason IS NULL OR failure_reason IN ('EXPIRED', 'REJECTED'));

-- The notification table becomes the delivery schedule: due rows are claimed by a lease, as the worker claims
-- messages, so several notifier instances never send one delivery at once.
ALTER TABLE notification ADD COLUMN next_attempt_at TIMESTAMP(6) NULL;
ALTER TABLE notification ADD COLUMN claimed_until TIMESTAMP(6) NULL;
ALTER TABLE notification ADD COLUMN claimed_by VARCHAR(64) NULL;
ALTER TABLE notification ADD CONSTRAINT ck_notification_status
    CHECK (status IN ('PENDING', 'DELIVERED', 'RETRYING', 'FAILED', 'REFUSED'));
-- The notifier's scan of due deliveries: WHERE next_attempt_at <= ? (NULL once a row is final).
CREATE INDEX ix_notification_next_attempt ON notification (next_attempt_at);
