-- +goose Up
-- Ranges of a source's tweets the API could no longer serve when the source was walked: more
-- than the newest 3,200 of a timeline, or older than recent search's seven days.
CREATE TABLE gaps (
    id           bigserial   PRIMARY KEY,
    source_id    bigint      NOT NULL REFERENCES sources (id),
    reason       text        NOT NULL,
    -- after_id and before_id bound the missing tweets (both exclusive); from_time and
    -- to_time are the same bounds as times.
    after_id     bigint      NOT NULL,
    before_id    bigint      NOT NULL,
    from_time    timestamptz NOT NULL,
    to_time      timestamptz NOT NULL,
    detected_at  timestamptz NOT NULL
);
CREATE INDEX gaps_source_idx ON gaps (source_id, detected_at);

-- How many tweets the walk in progress has read so far, across interruptions.
ALTER TABLE sources ADD COLUMN walk_fetched integer;

-- +goose Down
ALTER TABLE sources DROP COLUMN walk_fetched;
DROP TABLE gaps;
