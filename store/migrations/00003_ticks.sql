-- +goose Up
-- Schedule ticks already claimed by a producer, so that with several producers running each
-- tick is published once. due is the tick's scheduled activation time, the same in every
-- producer; rows are only needed for seconds, and are kept a day for inspection.
CREATE TABLE ticks (
    schedule    text        NOT NULL,
    due         timestamptz NOT NULL,
    claimed_by  text        NOT NULL,
    claimed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (schedule, due)
);
CREATE INDEX ticks_due_idx ON ticks (due);

-- +goose Down
DROP TABLE ticks;
