package twitterapi

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// validSeeds are documents and near-documents whose validity the scanner must judge as
// encoding/json does.
var validSeeds = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e-3`, `true`, `null`, ` {"a" : [1, 2 , {"b":null}] } `,
	`{"data":[{"id":"1","text":"a\"b\\c\/\u00e9\ud83d\ude00"}],"meta":{"result_count":1}}`,
	`{"a":1,}`, `[1,]`, `{"a"}`, `{"a":}`, `{1:2}`, `[01]`, `[1.]`, `[.5]`, `[1e]`, `[-]`, `[+1]`,
	`["\x"]`, `["\u12"]`, `["\u12g4"]`, "[\"tab\there\"]", "[\"nl\n\"]", `[tru]`, `[nul]`, `[True]`,
	`{"a":1}}`, `{"a":1} x`, `[1 2]`, `{"a" 1}`, `"unterminated`, `[`, `{`, `{"a":[}`, `[1]]`,
	`{"a":"\u0000"}`, `[1e+5, -0.0, 0e0, 2E-2]`, `[00]`, `[-01]`, "[\"\x7f\xff\"]",
}

func scannerValid(doc []byte) bool {
	s := &scanner{b: doc}
	if _, err := s.skip(); err != nil {
		return false
	}
	return s.end() == nil
}

func TestScanner_JudgesSyntaxAsJSONValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7)) //nolint:gosec // reproducible test inputs, not a secret
	for _, seed := range validSeeds {
		for i := range 300 {
			doc := []byte(seed)
			if i > 0 { // the seed itself, then mutations of it
				for range 1 + rng.IntN(3) {
					doc = mutate(rng, doc)
				}
			}
			if got, want := scannerValid(doc), json.Valid(doc); got != want {
				t.Errorf("%q: scanner says valid=%v, encoding/json %v", doc, got, want)
			}
		}
	}
}

// mutate inserts, deletes or replaces one byte of doc.
func mutate(rng *rand.Rand, doc []byte) []byte {
	const alphabet = "{}[]\":,\\ 0123456789-+.eEtrufalsn\tx\u00e9"
	c := alphabet[rng.IntN(len(alphabet))]
	pos := rng.IntN(len(doc) + 1)
	switch {
	case rng.IntN(3) == 0:
		return append(doc[:pos:pos], append([]byte{c}, doc[pos:]...)...)
	case pos == len(doc):
		return doc
	case rng.IntN(2) == 0:
		return append(doc[:pos:pos], doc[pos+1:]...)
	default:
		doc[pos] = c
		return doc
	}
}

func FuzzScanner_JudgesSyntaxAsJSONValid(f *testing.F) {
	for _, seed := range validSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if got, want := scannerValid(doc), json.Valid(doc); got != want {
			t.Errorf("%q: scanner says valid=%v, encoding/json %v", doc, got, want)
		}
	})
}

// A page decodes only when it is valid JSON, whatever is broken in it.
func TestDecodePage_RefusesBrokenSyntax(t *testing.T) {
	page := `{"data":[{"id":"11","text":"a \"q\" \u00e9","author_id":"4","conversation_id":"11",` +
		`"created_at":"2026-03-02T09:00:00.000Z","lang":"en","entities":{"urls":[{"start":0,"end":5}]},` +
		`"public_metrics":{"retweet_count":1,"reply_count":0,"like_count":2,"quote_count":0},` +
		`"referenced_tweets":[{"type":"quoted","id":"9"}],"note_tweet":{"text":"long","x":[true,null]}}],` +
		`"includes":{"tweets":[{"id":"9","text":"q","author_id":"5","created_at":"2026-03-02T08:00:00.000Z"}],` +
		`"users":[{"id":"4","name":"n"}]},"meta":{"result_count":1,"newest_id":"11","oldest_id":"11","x":1.5}}`
	if _, err := decodePage([]byte(page)); err != nil {
		t.Fatalf("the page itself: %v", err)
	}
	rng := rand.New(rand.NewPCG(3, 9)) //nolint:gosec // reproducible test inputs, not a secret
	for range 20000 {
		doc := mutate(rng, []byte(page))
		if _, err := decodePage(doc); err == nil && !json.Valid(doc) {
			t.Errorf("decodePage accepted %q, which is not valid JSON", doc)
		}
	}
}
