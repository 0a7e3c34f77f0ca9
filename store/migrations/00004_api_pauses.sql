-- +goose Up
-- Pauses of API calls shared by every worker: an endpoint whose rate-limit window is used up,
-- or the whole API ("all") after a usage cap, depleted credits or a refused token.
CREATE TABLE api_pauses (
    endpoint    text        PRIMARY KEY,
    reason      text        NOT NULL,
    detail      text        NOT NULL DEFAULT '',
    -- until is when calls may resume; NULL waits for an operator (producer api resume).
    until       timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE api_pauses;
