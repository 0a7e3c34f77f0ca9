package tasks

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
)

// stdDecode is how Machinery's worker decodes a message body.
func stdDecode(body []byte) (*mtasks.Signature, error) {
	sig := new(mtasks.Signature)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return sig, dec.Decode(sig)
}

// signatureBodies are message bodies for the decoder tests: what the publishers send, and
// what a stranger might.
func signatureBodies(t testing.TB) [][]byte {
	t.Helper()
	sig, err := Fetch{
		Kind: KindQuery, Value: "#golang café -is:retweet", SinceIDHint: "1867781234567890123",
		BackfillSeconds: 60,
	}.Signature()
	if err != nil {
		t.Fatal(err)
	}
	sig.RoutingKey = "tweetflow.tasks"
	sig.Headers = mtasks.Headers{HeaderPublishedAt: time.Now().UTC().Format(time.RFC3339Nano), "n": 7}
	ours, err := json.Marshal(sig)
	if err != nil {
		t.Fatal(err)
	}
	eta := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	chained := *sig
	chained.ETA, chained.OnSuccess = &eta, []*mtasks.Signature{sig}
	withChain, err := json.Marshal(&chained)
	if err != nil {
		t.Fatal(err)
	}
	return [][]byte{
		ours, withChain,
		[]byte(`{"Name":"t","Args":[{"Name":"a","Type":"int64","Value":9007199254740993}]}`),
		[]byte(` { "Name" : "t" , "Args" : [ ] , "Headers" : { } } ` + "\n"),
		[]byte(`{"Name":"t","Args":null,"Headers":null,"ETA":null,"Priority":null,"UUID":null}`),
		[]byte(`{"Name":"t","Args":[{"Value":true},{"Value":null},{"Value":-1.5e-3},{"Value":"x"}]}`),
		[]byte(`{"Name":"t","Headers":{"a":1,"a":2,"b":false}}`),
		[]byte(`{"Name":"t","Priority":9,"RetryCount":-3,"RetryTimeout":0,"GroupTaskCount":2,"Immutable":true}`),
		[]byte(`{"Name":"t\"q","Args":[]}`),                 // an escape: encoding/json's
		[]byte(`{"name":"t"}`),                              // a key matched case-insensitively
		[]byte(`{"Name":"t","Name":"u"}`),                   // a repeated key
		[]byte(`{"Name":"t","Extra":{"x":[1,2]}}`),          // an unknown key
		[]byte(`{"Name":"t"} trailing`),                     // the decoder reads the first value only
		[]byte(`{"Name":"t","Headers":{"h":{"nested":1}}}`), // a nested header
		[]byte(`{"Name":"t","Priority":300}`),               // out of range
		[]byte(`{"Name":"t","RetryCount":1.5}`),             // not an integer
		[]byte(`{"Name":"t","RetryCount":01}`),              // not JSON
		[]byte(`{"Name":"t","Args":[null]}`),
		[]byte(`{"Name":"t",}`),
		[]byte(`{"Name":"` + "\xff" + `"}`), // invalid UTF-8
		[]byte(`{"Name":"t"`),
		[]byte(`null`),
		[]byte(`[]`),
		[]byte(`"x"`),
	}
}

func TestDecodeSignature_GivesWhatEncodingJSONGives(t *testing.T) {
	for _, body := range signatureBodies(t) {
		t.Run(string(body), func(t *testing.T) { checkDecode(t, body) })
	}
}

func TestParseSignature_ReadsThePublishedShapeItself(t *testing.T) {
	body := signatureBodies(t)[0]
	if _, ok := parseSignature(body); !ok {
		t.Fatalf("the fast path left a body our publisher sends to encoding/json: %s", body)
	}
}

func FuzzDecodeSignature(f *testing.F) {
	for _, body := range signatureBodies(f) {
		f.Add(body)
	}
	f.Fuzz(checkDecode)
}

// checkDecode fails unless decodeSignature and encoding/json agree on body: the same
// signature, or both an error.
func checkDecode(t *testing.T, body []byte) {
	want, wantErr := stdDecode(body)
	got, err := decodeSignature(body)
	switch {
	case (err != nil) != (wantErr != nil):
		t.Fatalf("decode %q: error %v, encoding/json's %v", body, err, wantErr)
	case err != nil:
		return
	case !reflect.DeepEqual(got, want):
		t.Fatalf("decode %q:\n got %#v\nwant %#v", body, got, want)
	}
}
