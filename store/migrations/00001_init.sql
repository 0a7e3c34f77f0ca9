-- +goose Up
-- Accounts that user sources resolved to. A handle is looked up once; the id is what the
-- timeline is read by, so a later rename of the handle does not break the source.
CREATE TABLE users (
    id          bigint PRIMARY KEY,
    username    text        NOT NULL,
    name        text        NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per user handle or search query ever fetched, with its cursor and walk state.
CREATE TABLE sources (
    id               bigserial   PRIMARY KEY,
    kind             text        NOT NULL CHECK (kind IN ('user', 'query')),
    -- value is the handle in lower case, or the query as configured.
    value            text        NOT NULL,
    user_id          bigint      REFERENCES users (id),
    status           text        NOT NULL DEFAULT 'active'
                                 CHECK (status IN ('active', 'not_found', 'suspended')),
    -- cursor_id is the newest tweet id of the last complete walk; it never decreases.
    cursor_id        bigint,
    -- backfill_from bounds the walks made while there is no cursor yet.
    backfill_from    timestamptz,
    -- walk_* describe a walk in progress: resumed from walk_token after an interruption.
    walk_token       text,
    walk_since_id    bigint,
    walk_start_time  timestamptz,
    walk_newest_id   bigint,
    walk_started_at  timestamptz,
    last_success_at  timestamptz,
    last_error       text,
    last_error_at    timestamptz,
    tweets_stored    bigint      NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, value)
);

-- Every tweet once, whatever number of sources found it.
CREATE TABLE tweets (
    id                  bigint      PRIMARY KEY,
    author_id           bigint      NOT NULL,
    conversation_id     bigint,
    -- text is the full text (long posts and retweets included), entities as served.
    text                text        NOT NULL,
    created_at          timestamptz NOT NULL,
    lang                text        NOT NULL DEFAULT '',
    retweeted_id        bigint,
    quoted_id           bigint,
    replied_to_id       bigint,
    retweet_count       bigint      NOT NULL DEFAULT 0,
    reply_count         bigint      NOT NULL DEFAULT 0,
    like_count          bigint      NOT NULL DEFAULT 0,
    quote_count         bigint      NOT NULL DEFAULT 0,
    bookmark_count      bigint      NOT NULL DEFAULT 0,
    impression_count    bigint      NOT NULL DEFAULT 0,
    -- raw is the tweet object exactly as served.
    raw                 json        NOT NULL,
    fetched_at          timestamptz NOT NULL,
    metrics_updated_at  timestamptz NOT NULL
);
CREATE INDEX tweets_author_created_idx ON tweets (author_id, created_at);

-- Which sources saw which tweet.
CREATE TABLE tweet_sources (
    tweet_id       bigint      NOT NULL REFERENCES tweets (id),
    source_id      bigint      NOT NULL REFERENCES sources (id),
    first_seen_at  timestamptz NOT NULL,
    PRIMARY KEY (source_id, tweet_id)
);
CREATE INDEX tweet_sources_tweet_idx ON tweet_sources (tweet_id);

-- +goose Down
DROP TABLE tweet_sources;
DROP TABLE tweets;
DROP TABLE sources;
DROP TABLE users;
