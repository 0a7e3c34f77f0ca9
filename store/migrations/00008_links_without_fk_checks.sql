-- +goose Up
-- tweet_sources rows are written by one statement alone (savePageSQL), which inserts each
-- tweet before it links it, on a source whose row the same statement updates; no tweet and
-- no source is ever deleted. The foreign keys checked that again with two queries per stored
-- tweet, a quarter of the database's work when storing a page, so they are dropped.
ALTER TABLE tweet_sources DROP CONSTRAINT tweet_sources_tweet_id_fkey;
ALTER TABLE tweet_sources DROP CONSTRAINT tweet_sources_source_id_fkey;

-- +goose Down
ALTER TABLE tweet_sources ADD CONSTRAINT tweet_sources_tweet_id_fkey
    FOREIGN KEY (tweet_id) REFERENCES tweets (id);
ALTER TABLE tweet_sources ADD CONSTRAINT tweet_sources_source_id_fkey
    FOREIGN KEY (source_id) REFERENCES sources (id);
