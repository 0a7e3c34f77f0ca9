package twitterapi

import (
	"encoding/json"
	"testing"
)

func TestScanner_StringsReadAsEncodingJSONReadsThem(t *testing.T) {
	for _, lit := range []string{
		`""`, `"plain"`, `"\u0026amp; \u003c\u003e"`, `"line\nbreak\ttab \"quoted\" back\\slash \/"`,
		`"emoji \ud83d\ude00 pair"`, `"lone \ud83d half"`, `"lone low \ude00"`, `"é ü 漢字"`,
		`"\b\f\r"`, `"\u00e9 \u2026"`,
	} {
		var want string
		if err := json.Unmarshal([]byte(lit), &want); err != nil {
			t.Fatalf("encoding/json refuses %s: %v", lit, err)
		}
		got, err := (&scanner{b: []byte(lit)}).str()
		if err != nil || got != want {
			t.Errorf("str(%s) = %q, %v; want %q", lit, got, err, want)
		}
	}
}

func TestScanner_SkipsAnyValue(t *testing.T) {
	doc := `{"a":[1,{"b":"}]\"x"},null,true,-2.5e3],"c":{"d":[]},"e":"f","g":12}`
	var fields []string
	s := &scanner{b: []byte(doc)}
	err := s.object(func(key []byte) error {
		raw, err := s.skip()
		fields = append(fields, string(key)+"="+string(raw))
		return err
	})
	want := []string{`a=[1,{"b":"}]\"x"},null,true,-2.5e3]`, `c={"d":[]}`, `e="f"`, `g=12`}
	if err != nil || len(fields) != len(want) {
		t.Fatalf("fields = %q, %v; want %q", fields, err, want)
	}
	for i := range want {
		if fields[i] != want[i] {
			t.Errorf("field %d = %s, want %s", i, fields[i], want[i])
		}
	}
}

func TestDecodePage_RefusesWrongTypes(t *testing.T) {
	for _, body := range []string{
		`{"data":[{"id":101}]}`, `{"data":{}}`, `{"meta":{"result_count":"1"}}`,
		`{"data":[{"id":"1","public_metrics":{"like_count":1.5}}]}`, `[]`,
	} {
		if _, err := decodePage([]byte(body)); err == nil {
			t.Errorf("decodePage(%s) = nil error, want one", body)
		}
	}
}
