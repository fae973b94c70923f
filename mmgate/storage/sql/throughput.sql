-- Per-number throughput, shared by every process and host (domain/throughput.py).

-- name: take_throughput
-- dialect: sqlite
-- A grant of up to :ask tokens from the number's bucket: domain/throughput.take, in one
-- statement. The bucket's level is refilled for the time since it was last taken from and
-- given back the :returned tokens a process let expire, never past :burst,
--     MIN(:burst, b.tokens + :returned + MAX(0, :now - b.refilled_at) * :per_second)
-- (written out where it is used: a SET sees only the row as it was). A new number's bucket
-- starts full: its first grant is worked out by the caller.
INSERT INTO throughput_buckets AS b (phone_number_id, tokens, granted, refilled_at)
VALUES (:phone_number_id, :first_left, :first_granted, :now)
ON CONFLICT (phone_number_id) DO UPDATE SET
    granted = MIN(:ask, CAST(
        MIN(:burst, b.tokens + :returned + MAX(0, :now - b.refilled_at) * :per_second)
        + :epsilon AS INTEGER)),
    tokens = MIN(:burst, b.tokens + :returned + MAX(0, :now - b.refilled_at) * :per_second)
        - MIN(:ask, CAST(
            MIN(:burst, b.tokens + :returned + MAX(0, :now - b.refilled_at) * :per_second)
            + :epsilon AS INTEGER)),
    refilled_at = MAX(b.refilled_at, :now)
RETURNING granted, tokens;

-- name: take_throughput
-- dialect: postgres
-- As on SQLite, with PostgreSQL's names for the functions (LEAST, GREATEST, floor). The row
-- lock ON CONFLICT takes makes concurrent grants from several processes queue, each
-- computed from the row the previous one left.
INSERT INTO throughput_buckets AS b (phone_number_id, tokens, granted, refilled_at)
VALUES (:phone_number_id, :first_left, :first_granted, :now)
ON CONFLICT (phone_number_id) DO UPDATE SET
    granted = LEAST(:ask, floor(
        LEAST(:burst, b.tokens + :returned + GREATEST(0, :now - b.refilled_at) * :per_second)
        + :epsilon)),
    tokens = LEAST(:burst, b.tokens + :returned + GREATEST(0, :now - b.refilled_at) * :per_second)
        - LEAST(:ask, floor(
            LEAST(:burst, b.tokens + :returned + GREATEST(0, :now - b.refilled_at) * :per_second)
            + :epsilon)),
    refilled_at = GREATEST(b.refilled_at, :now)
RETURNING granted, tokens;
