-- +goose Up
-- The adaptive schedule: each configured source's polling interval, why, and when it is due.
-- Rows are keyed like the sources file ("user:handle", "query:text"), so a source is planned
-- before any worker has created its row in sources.
CREATE TABLE poll_plan (
    source_key         text             PRIMARY KEY,
    endpoint           text             NOT NULL,
    priority           smallint         NOT NULL DEFAULT 0,
    interval_seconds   double precision NOT NULL,
    -- pages is the number of requests one poll is expected to take.
    pages              double precision NOT NULL DEFAULT 1,
    rate_per_hour      double precision NOT NULL DEFAULT 0,
    reason             text             NOT NULL DEFAULT '',
    next_at            timestamptz      NOT NULL,
    last_published_at  timestamptz,
    planned_at         timestamptz      NOT NULL
);
CREATE INDEX poll_plan_due_idx ON poll_plan (next_at);

-- Each endpoint's budget: what the producers planned in the current window, and the last
-- x-rate-limit-* headers a worker saw, so that every producer and worker agrees on it.
CREATE TABLE api_budget (
    endpoint            text             PRIMARY KEY,
    window_start        timestamptz,
    planned             double precision NOT NULL DEFAULT 0,
    observed_limit      integer,
    observed_remaining  integer,
    observed_reset      timestamptz,
    observed_at         timestamptz
);

-- +goose Down
DROP TABLE api_budget;
DROP TABLE poll_plan;
