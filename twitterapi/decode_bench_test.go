package twitterapi

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkDecodePage decodes a page of 100 tweets shaped like the simulator's.
func BenchmarkDecodePage(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"data":[`)
	for i := range 100 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"%d","text":"Déploiement réussi, café mérité. Les files d'attente, c'est la vie. `+
			`Encore un test instable à cause de l'horloge. 🇯🇵 \"quoted\" https://t.co/x%d",`+
			`"edit_history_tweet_ids":["%d"],"author_id":"892897844347274961","conversation_id":"%d",`+
			`"created_at":"2026-12-03T23:47:41.000Z","lang":"fr","public_metrics":{"retweet_count":%d,`+
			`"reply_count":0,"like_count":3,"quote_count":0,"bookmark_count":0,"impression_count":120},`+
			`"entities":{"urls":[{"start":120,"end":143,"url":"https://t.co/x%d","expanded_url":"https://example.com/%d"}],`+
			`"hashtags":[{"start":0,"end":5,"tag":"golang"}]}}`, 2128637325859618816-i, i, 2128637325859618816-i,
			2128637325859618816-i, i, i, i)
	}
	sb.WriteString(`],"includes":{"users":[{"id":"892897844347274961","name":"Pagea","username":"pagea"}]},` +
		`"meta":{"result_count":100,"newest_id":"2128637325859618816","oldest_id":"2128637325859618717","next_token":"t"}}`)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for range b.N {
		if _, err := decodePage(body); err != nil {
			b.Fatal(err)
		}
	}
}
