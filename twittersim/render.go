package twittersim

import (
	"time"
)

// apiTweet is a tweet on the wire. Only id, text and edit_history_tweet_ids are always
// present; the rest appear when named in tweet.fields.
type apiTweet struct {
	ID                  string            `json:"id"`
	Text                string            `json:"text"`
	EditHistoryTweetIDs []string          `json:"edit_history_tweet_ids"`
	AuthorID            string            `json:"author_id,omitempty"`
	ConversationID      string            `json:"conversation_id,omitempty"`
	CreatedAt           string            `json:"created_at,omitempty"`
	Lang                string            `json:"lang,omitempty"`
	PublicMetrics       *apiPublicMetrics `json:"public_metrics,omitempty"`
	Entities            *apiEntities      `json:"entities,omitempty"`
	ReferencedTweets    []apiReference    `json:"referenced_tweets,omitempty"`
	NoteTweet           *apiNote          `json:"note_tweet,omitempty"`
	PossiblySensitive   *bool             `json:"possibly_sensitive,omitempty"`
	ReplySettings       string            `json:"reply_settings,omitempty"`
	DisplayTextRange    []int             `json:"display_text_range,omitempty"`
	EditControls        *apiEditControls  `json:"edit_controls,omitempty"`
}

type apiReference struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type apiNote struct {
	Text     string       `json:"text"`
	Entities *apiEntities `json:"entities,omitempty"`
}

type apiEditControls struct {
	EditsRemaining int    `json:"edits_remaining"`
	IsEditEligible bool   `json:"is_edit_eligible"`
	EditableUntil  string `json:"editable_until"`
}

// apiIncludes carries the objects that expansions ask for.
type apiIncludes struct {
	Tweets []apiTweet `json:"tweets,omitempty"`
	Users  []apiUser  `json:"users,omitempty"`
}

// apiTime formats t like the API: UTC, whole seconds, ".000Z".
func apiTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05.000Z")
}

// renderer turns tweets and users into their wire form for one request.
type renderer struct {
	world       *world
	tweetFields set
	userFields  set
	expansions  set
	now         time.Time
}

func (rd renderer) tweet(t *tweet) apiTweet {
	f := rd.tweetFields
	out := apiTweet{ID: t.idString(), Text: t.text, EditHistoryTweetIDs: []string{t.idString()}}
	if f["author_id"] {
		out.AuthorID = t.author.id
	}
	if f["conversation_id"] {
		out.ConversationID = t.idString()
	}
	if f["created_at"] {
		out.CreatedAt = apiTime(t.created)
	}
	if f["lang"] {
		out.Lang = t.lang
	}
	if f["public_metrics"] {
		m := publicMetrics(t, rd.now)
		out.PublicMetrics = &m
	}
	rd.addTextFields(t, &out)
	rd.addMiscFields(t, &out)
	return out
}

func (rd renderer) addTextFields(t *tweet, out *apiTweet) {
	f := rd.tweetFields
	if f["entities"] && !t.entities.empty() {
		e := t.entities
		out.Entities = &e
	}
	if f["referenced_tweets"] && t.ref != nil {
		out.ReferencedTweets = []apiReference{{Type: t.refType(), ID: t.ref.idString()}}
	}
	if f["note_tweet"] && t.note != "" {
		out.NoteTweet = &apiNote{Text: t.note}
		if e := t.noteEntities; !e.empty() {
			out.NoteTweet.Entities = &e
		}
	}
	if f["display_text_range"] {
		out.DisplayTextRange = []int{0, textLen(t.text)}
	}
}

func (rd renderer) addMiscFields(t *tweet, out *apiTweet) {
	f := rd.tweetFields
	if f["possibly_sensitive"] {
		no := false
		out.PossiblySensitive = &no
	}
	if f["reply_settings"] {
		out.ReplySettings = "everyone"
	}
	if f["edit_controls"] {
		until := t.created.Add(time.Hour)
		out.EditControls = &apiEditControls{
			EditsRemaining: 5,
			IsEditEligible: t.kind != KindRetweet && rd.now.Before(until),
			EditableUntil:  apiTime(until),
		}
	}
}

func (rd renderer) tweets(ts []*tweet) []apiTweet {
	out := make([]apiTweet, len(ts))
	for i, t := range ts {
		out[i] = rd.tweet(t)
	}
	return out
}

// includes collects what the expansions ask for about the tweets of a page.
func (rd renderer) includes(ts []*tweet) *apiIncludes {
	var refs []*tweet
	var users userList
	for _, t := range ts {
		if rd.expansions["referenced_tweets.id"] && t.ref != nil && !containsTweet(refs, t.ref) {
			refs = append(refs, t.ref)
		}
		if rd.expansions["author_id"] {
			users.add(t.author)
		}
	}
	for _, t := range refs {
		if rd.expansions["referenced_tweets.id.author_id"] {
			users.add(t.author)
		}
	}
	rd.addMentioned(&users, ts)
	inc := &apiIncludes{Tweets: rd.tweets(refs), Users: rd.users(users)}
	if len(inc.Tweets) == 0 && len(inc.Users) == 0 {
		return nil
	}
	return inc
}

// addMentioned adds the users that the tweets mention when the expansion asks for it.
func (rd renderer) addMentioned(users *userList, ts []*tweet) {
	if !rd.expansions["entities.mentions.username"] {
		return
	}
	for _, t := range ts {
		for _, m := range t.entities.Mentions {
			if a := rd.world.byID[m.ID]; a != nil {
				users.add(a)
			}
		}
	}
}

func containsTweet(ts []*tweet, t *tweet) bool {
	for _, u := range ts {
		if u == t {
			return true
		}
	}
	return false
}

// userList is a list of accounts without repeats, in the order added.
type userList []*account

func (l *userList) add(a *account) {
	for _, b := range *l {
		if b == a {
			return
		}
	}
	*l = append(*l, a)
}
