-- The start-up probe (GET / of the upstream, docs/ARCHITECTURE.md "Safety interlock") is an upstream call, so it is
-- recorded in sign_attempt like every other; it signs nothing, so it gets an outcome of its own, PROBE, which the
-- worker's calls-per-signature figures leave out. Its message_hash is the hash of the empty message (no message).
ALTER TABLE sign_attempt DROP CONSTRAINT ck_sign_attempt_outcome;
ALTER TABLE sign_attempt ADD CONSTRAINT ck_sign_attempt_outcome
    CHECK (outcome IN ('SIGNED', 'DEGRADED', 'RATE_LIMITED', 'FAILED', 'REJECTED', 'PROBE'));
