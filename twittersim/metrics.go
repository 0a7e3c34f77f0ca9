package twittersim

import (
	"math"
	"time"
)

// apiPublicMetrics are the public engagement counts of a tweet.
type apiPublicMetrics struct {
	RetweetCount    int `json:"retweet_count"`
	ReplyCount      int `json:"reply_count"`
	LikeCount       int `json:"like_count"`
	QuoteCount      int `json:"quote_count"`
	BookmarkCount   int `json:"bookmark_count"`
	ImpressionCount int `json:"impression_count"`
}

// metricsGrowth is the time over which engagement approaches its final level.
const metricsGrowth = 6 * time.Hour

// publicMetrics computes the counts of t at now. They depend only on the tweet id and
// its age, and grow towards a per-tweet ceiling as the tweet gets older.
func publicMetrics(t *tweet, now time.Time) apiPublicMetrics {
	age := max(now.Sub(t.created), 0)
	grown := 1 - math.Exp(-float64(age)/float64(metricsGrowth))
	h := mix64(t.id)
	scale := func(ceiling uint64, shift uint) int {
		return int(float64((h>>shift)%ceiling) * grown)
	}
	likes := scale(400, 0)
	return apiPublicMetrics{
		RetweetCount:    scale(60, 9),
		ReplyCount:      scale(25, 17),
		LikeCount:       likes,
		QuoteCount:      scale(10, 23),
		BookmarkCount:   scale(30, 29),
		ImpressionCount: likes*25 + scale(2000, 35),
	}
}
