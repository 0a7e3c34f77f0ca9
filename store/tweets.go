package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tweetflow/tweetflow/twitterapi"
)

// PageWrite is one page of a walk to store.
type PageWrite struct {
	SourceID int64
	Tweets   []twitterapi.Tweet
	// Next is the walk state after this page; nil when this page completes the walk.
	Next *Walk
	// NewestID becomes the cursor when the walk completes (0 leaves the cursor as it is).
	// The cursor never moves backwards.
	NewestID  int64
	FetchedAt time.Time
	// WalkStartedAt is when the walk began; recorded when the walk completes.
	WalkStartedAt time.Time
}

// Saved counts what a page write changed.
type Saved struct {
	// New tweets were not stored before; Known ones were (their metrics are refreshed).
	New, Known int
	// Linked counts tweets this source had not seen before.
	Linked int
	// NewIDs are the ids of the New tweets.
	NewIDs []int64
}

// savePageSQL stores tweets, links them to the source and moves the source's walk, all in
// one statement and so one transaction. A tweet already stored gets its public metrics
// refreshed, and is rewritten only when they changed. Each link's tweet is inserted (or
// found) by the same statement, so tweet_sources needs no foreign key checks.
const savePageSQL = `
WITH input AS (
	SELECT * FROM unnest(
		$1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::timestamptz[], $6::text[],
		$7::bigint[], $8::bigint[], $9::bigint[],
		$10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[],
		$16::text[]
	) AS t(id, author_id, conversation_id, text, created_at, lang,
		retweeted_id, quoted_id, replied_to_id,
		retweet_count, reply_count, like_count, quote_count, bookmark_count, impression_count, raw)
	-- A page for a source that does not exist stores nothing.
	WHERE EXISTS (SELECT 1 FROM sources WHERE id = $18)
), upserted AS (
	INSERT INTO tweets (id, author_id, conversation_id, text, created_at, lang,
		retweeted_id, quoted_id, replied_to_id,
		retweet_count, reply_count, like_count, quote_count, bookmark_count, impression_count,
		raw, fetched_at, metrics_updated_at)
	SELECT id, author_id, NULLIF(conversation_id, 0), text, created_at, lang,
		NULLIF(retweeted_id, 0), NULLIF(quoted_id, 0), NULLIF(replied_to_id, 0),
		retweet_count, reply_count, like_count, quote_count, bookmark_count, impression_count,
		raw::json, $17, $17
	FROM input
	ON CONFLICT (id) DO UPDATE SET
		retweet_count = EXCLUDED.retweet_count, reply_count = EXCLUDED.reply_count,
		like_count = EXCLUDED.like_count, quote_count = EXCLUDED.quote_count,
		bookmark_count = EXCLUDED.bookmark_count, impression_count = EXCLUDED.impression_count,
		metrics_updated_at = EXCLUDED.fetched_at
	WHERE (tweets.retweet_count, tweets.reply_count, tweets.like_count, tweets.quote_count,
			tweets.bookmark_count, tweets.impression_count)
		IS DISTINCT FROM (EXCLUDED.retweet_count, EXCLUDED.reply_count, EXCLUDED.like_count,
			EXCLUDED.quote_count, EXCLUDED.bookmark_count, EXCLUDED.impression_count)
	RETURNING id, (xmax = 0) AS inserted
), linked AS (
	INSERT INTO tweet_sources (source_id, tweet_id, first_seen_at)
	SELECT $18, id, $17 FROM input
	ON CONFLICT DO NOTHING
	RETURNING tweet_id
), moved AS (
	UPDATE sources SET
		tweets_stored = tweets_stored + (SELECT count(*) FROM linked),
		cursor_id = CASE WHEN $19 THEN GREATEST(cursor_id, NULLIF($20::bigint, 0)) ELSE cursor_id END,
		walk_token = CASE WHEN $19 THEN NULL ELSE $21 END,
		walk_since_id = CASE WHEN $19 THEN NULL ELSE NULLIF($22::bigint, 0) END,
		walk_start_time = CASE WHEN $19 THEN NULL ELSE $23::timestamptz END,
		walk_newest_id = CASE WHEN $19 THEN NULL ELSE NULLIF($20::bigint, 0) END,
		walk_started_at = CASE WHEN $19 THEN NULL ELSE $24::timestamptz END,
		walk_fetched = CASE WHEN $19 THEN NULL ELSE $26::integer END,
		last_success_at = CASE WHEN $19 THEN $17 ELSE last_success_at END,
		last_walk_started_at = CASE WHEN $19 THEN $25::timestamptz ELSE last_walk_started_at END,
		last_error = CASE WHEN $19 THEN NULL ELSE last_error END,
		last_error_at = CASE WHEN $19 THEN NULL ELSE last_error_at END
	WHERE id = $18
	RETURNING id
)
SELECT (SELECT COALESCE(array_agg(id), '{}') FROM upserted WHERE inserted),
	(SELECT count(*) FROM linked),
	(SELECT count(*) FROM moved)`

// moveWalkSQL is savePageSQL's last step alone, for a page without tweets.
const moveWalkSQL = `
UPDATE sources SET
	cursor_id = CASE WHEN $3 THEN GREATEST(cursor_id, NULLIF($4::bigint, 0)) ELSE cursor_id END,
	walk_token = CASE WHEN $3 THEN NULL ELSE $5 END,
	walk_since_id = CASE WHEN $3 THEN NULL ELSE NULLIF($6::bigint, 0) END,
	walk_start_time = CASE WHEN $3 THEN NULL ELSE $7::timestamptz END,
	walk_newest_id = CASE WHEN $3 THEN NULL ELSE NULLIF($4::bigint, 0) END,
	walk_started_at = CASE WHEN $3 THEN NULL ELSE $8::timestamptz END,
	walk_fetched = CASE WHEN $3 THEN NULL ELSE $10::integer END,
	last_success_at = CASE WHEN $3 THEN $1::timestamptz ELSE last_success_at END,
	last_walk_started_at = CASE WHEN $3 THEN $9::timestamptz ELSE last_walk_started_at END,
	last_error = CASE WHEN $3 THEN NULL ELSE last_error END,
	last_error_at = CASE WHEN $3 THEN NULL ELSE last_error_at END
WHERE id = $2`

// SavePage stores a page and moves the source's walk in one transaction: either all of it
// happens or none does. On a lock's view, the page that completes the walk also gives the
// lock up once it is committed, in the same round trip.
func (s *Store) SavePage(ctx context.Context, w PageWrite) (Saved, error) {
	complete := w.Next == nil
	next := w.Next
	if next == nil {
		next = &Walk{}
	}
	var last *SourceLock
	if lc, ok := s.db.(lockedConn); ok && complete {
		last = lc.lock
	}
	if len(w.Tweets) == 0 {
		return s.moveWalk(ctx, w, complete, next, last)
	}
	cols := columnsOf(w.Tweets)
	var inserted []int64
	var linked, moved int
	args := []any{
		cols.id, cols.author, cols.conversation, cols.text, cols.created, cols.lang,
		cols.retweeted, cols.quoted, cols.repliedTo,
		cols.retweets, cols.replies, cols.likes, cols.quotes, cols.bookmarks, cols.impressions,
		cols.raw, w.FetchedAt, w.SourceID, complete, w.NewestID,
		nullString(next.Token), next.SinceID, nullTime(next.StartTime), nullTime(next.StartedAt),
		nullTime(w.WalkStartedAt), next.Fetched,
	}
	var err error
	if last != nil {
		err = last.commitAndUnlock(ctx, savePageSQL, args, func(br pgx.BatchResults) error {
			return br.QueryRow().Scan(&inserted, &linked, &moved)
		})
	} else {
		err = s.db.QueryRow(ctx, savePageSQL, args...).Scan(&inserted, &linked, &moved)
	}
	if err != nil {
		return Saved{}, fmt.Errorf("save %d tweets of source %d: %w", len(w.Tweets), w.SourceID, err)
	}
	if moved == 0 {
		return Saved{}, fmt.Errorf("save tweets of source %d: %w", w.SourceID, ErrNoSource)
	}
	unique := len(cols.id)
	return Saved{New: len(inserted), Known: unique - len(inserted), Linked: linked, NewIDs: inserted}, nil
}

// moveWalk is SavePage for a page without tweets: a fetch that finds nothing new costs one
// small statement, sent with the unlock when last is the lock to give up.
func (s *Store) moveWalk(ctx context.Context, w PageWrite, complete bool, next *Walk, last *SourceLock) (Saved, error) {
	args := []any{
		w.FetchedAt, w.SourceID, complete, w.NewestID,
		nullString(next.Token), next.SinceID, nullTime(next.StartTime), nullTime(next.StartedAt),
		nullTime(w.WalkStartedAt), next.Fetched,
	}
	var tag pgconn.CommandTag
	var err error
	if last != nil {
		err = last.commitAndUnlock(ctx, moveWalkSQL, args, func(br pgx.BatchResults) error {
			tag, err = br.Exec()
			return err
		})
	} else {
		tag, err = s.db.Exec(ctx, moveWalkSQL, args...)
	}
	if err != nil {
		return Saved{}, fmt.Errorf("move the walk of source %d: %w", w.SourceID, err)
	}
	if tag.RowsAffected() == 0 {
		return Saved{}, fmt.Errorf("save tweets of source %d: %w", w.SourceID, ErrNoSource)
	}
	return Saved{}, nil
}

// columns holds a page's tweets column by column, as the unnest in savePageSQL takes them.
type columns struct {
	id, author, conversation, retweeted, quoted, repliedTo   []int64
	retweets, replies, likes, quotes, bookmarks, impressions []int64
	text, lang                                               []string
	raw                                                      [][]byte
	created                                                  []time.Time
}

func columnsOf(tweets []twitterapi.Tweet) columns {
	n := len(tweets)
	c := columns{
		id: make([]int64, 0, n), author: make([]int64, 0, n), conversation: make([]int64, 0, n),
		retweeted: make([]int64, 0, n), quoted: make([]int64, 0, n), repliedTo: make([]int64, 0, n),
		retweets: make([]int64, 0, n), replies: make([]int64, 0, n), likes: make([]int64, 0, n),
		quotes: make([]int64, 0, n), bookmarks: make([]int64, 0, n), impressions: make([]int64, 0, n),
		text: make([]string, 0, n), lang: make([]string, 0, n), raw: make([][]byte, 0, n),
		created: make([]time.Time, 0, n),
	}
	seen := make(map[int64]bool, len(tweets))
	for i := range tweets {
		if !seen[tweets[i].ID] {
			seen[tweets[i].ID] = true
			c.add(&tweets[i])
		}
	}
	return c
}

func (c *columns) add(t *twitterapi.Tweet) {
	c.id = append(c.id, t.ID)
	c.author = append(c.author, t.AuthorID)
	c.conversation = append(c.conversation, t.ConversationID)
	c.retweeted = append(c.retweeted, t.RetweetedID)
	c.quoted = append(c.quoted, t.QuotedID)
	c.repliedTo = append(c.repliedTo, t.RepliedToID)
	c.retweets = append(c.retweets, t.Metrics.Retweets)
	c.replies = append(c.replies, t.Metrics.Replies)
	c.likes = append(c.likes, t.Metrics.Likes)
	c.quotes = append(c.quotes, t.Metrics.Quotes)
	c.bookmarks = append(c.bookmarks, t.Metrics.Bookmarks)
	c.impressions = append(c.impressions, t.Metrics.Impressions)
	c.text = append(c.text, t.Text)
	c.lang = append(c.lang, t.Lang)
	c.raw = append(c.raw, t.Raw) // sent as text, without a copy
	c.created = append(c.created, t.CreatedAt)
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
