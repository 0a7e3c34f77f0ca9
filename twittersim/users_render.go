package twittersim

import (
	"fmt"
	"strings"
)

// apiUser is a user on the wire: id, name and username always, the rest when named in
// user.fields.
type apiUser struct {
	ID                string          `json:"id"`
	Name              string          `json:"name"`
	Username          string          `json:"username"`
	CreatedAt         string          `json:"created_at,omitempty"`
	Description       string          `json:"description,omitempty"`
	Location          string          `json:"location,omitempty"`
	URL               *string         `json:"url,omitempty"`
	ProfileImageURL   string          `json:"profile_image_url,omitempty"`
	Protected         *bool           `json:"protected,omitempty"`
	Verified          *bool           `json:"verified,omitempty"`
	VerifiedType      string          `json:"verified_type,omitempty"`
	PublicMetrics     *apiUserMetrics `json:"public_metrics,omitempty"`
	MostRecentTweetID string          `json:"most_recent_tweet_id,omitempty"`
}

type apiUserMetrics struct {
	FollowersCount int `json:"followers_count"`
	FollowingCount int `json:"following_count"`
	TweetCount     int `json:"tweet_count"`
	ListedCount    int `json:"listed_count"`
	LikeCount      int `json:"like_count"`
	MediaCount     int `json:"media_count"`
}

var locations = []string{"", "Berlin", "東京", "São Paulo", "Tel Aviv", "القاهرة", "Remote"}

func (rd renderer) user(a *account) apiUser {
	f := rd.userFields
	out := apiUser{ID: a.id, Name: a.name, Username: a.username}
	if f["created_at"] {
		out.CreatedAt = apiTime(a.created)
	}
	if f["description"] {
		out.Description = fmt.Sprintf("Simulated account @%s. Posts about #golang & queues.", a.username)
	}
	if f["location"] {
		out.Location = locations[hashOf(0, strings.ToLower(a.username))%uint64(len(locations))]
	}
	if f["url"] {
		u := ""
		out.URL = &u
	}
	if f["profile_image_url"] {
		out.ProfileImageURL = "https://pbs.twimg.com/profile_images/" + a.id + "/avatar_normal.png"
	}
	rd.addUserFlags(a, &out)
	return out
}

func (rd renderer) addUserFlags(a *account, out *apiUser) {
	f := rd.userFields
	no := false
	if f["protected"] {
		out.Protected = &no
	}
	if f["verified"] {
		out.Verified = &no
	}
	if f["verified_type"] {
		out.VerifiedType = "none"
	}
	if f["public_metrics"] {
		out.PublicMetrics = userMetrics(a)
	}
	if f["most_recent_tweet_id"] && len(a.timeline) > 0 {
		out.MostRecentTweetID = a.timeline[len(a.timeline)-1].idString()
	}
}

// userMetrics invents stable follower counts; tweet_count is the real number.
func userMetrics(a *account) *apiUserMetrics {
	h := hashOf(0, "followers", a.id)
	return &apiUserMetrics{
		FollowersCount: int(h % 50000),
		FollowingCount: int(h>>20) % 2000,
		TweetCount:     len(a.timeline),
		ListedCount:    int(h>>32) % 300,
		LikeCount:      int(h>>40) % 10000,
	}
}

func (rd renderer) users(as []*account) []apiUser {
	out := make([]apiUser, len(as))
	for i, a := range as {
		out[i] = rd.user(a)
	}
	return out
}
