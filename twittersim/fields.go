package twittersim

// The values the API accepts in its comma-separated list parameters.
var (
	tweetFieldNames = []string{
		"article", "attachments", "author_id", "card_uri", "context_annotations", "conversation_id",
		"created_at", "display_text_range", "edit_controls", "edit_history_tweet_ids", "entities",
		"geo", "id", "in_reply_to_user_id", "lang", "media_metadata", "non_public_metrics",
		"note_tweet", "organic_metrics", "possibly_sensitive", "promoted_metrics", "public_metrics",
		"referenced_tweets", "reply_settings", "scopes", "source", "text", "withheld",
	}
	userFieldNames = []string{
		"affiliation", "connection_status", "created_at", "description", "entities", "id",
		"location", "most_recent_tweet_id", "name", "pinned_tweet_id", "profile_banner_url",
		"profile_image_url", "protected", "public_metrics", "receives_your_dm",
		"subscription_type", "url", "username", "verified", "verified_type", "withheld",
	}
	tweetExpansionNames = []string{
		"article.cover_media", "article.media_entities", "attachments.media_keys",
		"attachments.media_source_tweet", "attachments.poll_ids", "author_id",
		"edit_history_tweet_ids", "entities.mentions.username", "entities.note.mentions.username",
		"geo.place_id", "in_reply_to_user_id", "referenced_tweets.id",
		"referenced_tweets.id.author_id",
	}
	userExpansionNames = []string{"affiliation.user_id", "most_recent_tweet_id", "pinned_tweet_id"}
	excludeNames       = []string{"replies", "retweets"}
	sortOrderNames     = []string{"recency", "relevancy"}
)

// The query parameters each endpoint accepts.
var (
	objectParams = []string{
		"expansions", "tweet.fields", "user.fields", "media.fields", "place.fields", "poll.fields",
	}
	userParams     = objectParams
	usersParams    = append([]string{"usernames"}, objectParams...)
	timelineParams = append([]string{
		"exclude", "max_results", "pagination_token", "since_id", "until_id", "start_time", "end_time",
	}, objectParams...)
	searchParams = append([]string{
		"query", "max_results", "next_token", "pagination_token", "since_id", "until_id",
		"start_time", "end_time", "sort_order",
	}, objectParams...)
)

// set is a set of names from a list parameter.
type set map[string]bool
