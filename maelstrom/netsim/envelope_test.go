package netsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// Reference: MODEL.md, "Envelope" closed envelope schema; MODEL.md, "Fatal output" which lines are fatal.
func TestParseEnvelope(t *testing.T) {
	cases := []struct {
		line    string
		wantErr error
		src     string
		dest    string
		body    string
	}{
		{`{"src":"n1","dest":"c3","body":{"type":"read_ok","messages":[1,2],"in_reply_to":4}}`, nil, "n1", "c3", `{"type":"read_ok","messages":[1,2],"in_reply_to":4}`},
		{`{"dest":"n2","src":"n1","id":77,"body":{}}`, nil, "n1", "n2", `{}`},
		{`{"src":"n1","dest":"n2"}`, nil, "n1", "n2", ``},
		{`{"src":"n1","dest":"n2","body":null}`, nil, "n1", "n2", ``},
		{`{"src":"n1","dest":"n2","body":[]}`, nil, "n1", "n2", ``},
		{`  {"src" : "n\u0031", "dest":"n2", "body": {"a" : [1, {"b":"}"}]}}  `, nil, "n1", "n2", `{"a" : [1, {"b":"}"}]}`},
		{`not json`, ErrNotJSON, "", "", ""},
		{``, ErrMalformed, "", "", ""},
		{`   `, ErrMalformed, "", "", ""},
		{`{"src":"n1","dest":"n2","body":{}`, ErrNotJSON, "", "", ""},
		{`{"src":"n1","dest":"n2","body":{}}{}`, ErrNotJSON, "", "", ""},
		{`{"dest":"n2","body":{}}`, ErrMalformed, "", "", ""},
		{`{"src":"n1","body":{}}`, ErrMalformed, "", "", ""},
		{`{"src":1,"dest":"n2","body":{}}`, ErrMalformed, "", "", ""},
		{`{"src":"n1","dest":"n2","body":{},"extra":1}`, ErrMalformed, "", "", ""},
		{`{"src":"n1","dest":"n2","body":{},"id":1.5}`, ErrMalformed, "", "", ""},
		{`{"src":"n1","dest":"n2","body":{},"id":"7"}`, ErrMalformed, "", "", ""},
		{`[1,2]`, ErrMalformed, "", "", ""},
		{`"str"`, ErrMalformed, "", "", ""},
		{`{"src":"n1","dest":"n2","body":"x"}`, ErrBody, "", "", ""},
		{`{"src":"n1","dest":"n2","body":5}`, ErrBody, "", "", ""},
		{`{"src":"n1","dest":"n2","body":[1]}`, ErrBody, "", "", ""},
	}
	for _, c := range cases {
		env, err := parseEnvelope([]byte(c.line))
		if c.wantErr != nil {
			if !errors.Is(err, c.wantErr) {
				t.Errorf("%s: err = %v, want %v", c.line, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: unexpected %v", c.line, err)
			continue
		}
		if string(env.src) != c.src || string(env.dest) != c.dest || string(env.body) != c.body {
			t.Errorf("%s: got src=%q dest=%q body=%q", c.line, env.src, env.dest, env.body)
		}
	}
}

func TestAppendDelivery(t *testing.T) {
	got := appendDelivery(nil, 12, quote("n1"), quote("n2"), []byte(`{ "type" : "x", "s":"a b" }`))
	want := `{"id":12,"src":"n1","dest":"n2","body":{"type":"x","s":"a b"}}` + "\n"
	if string(got) != want {
		t.Fatalf("got %s want %s", got, want)
	}
	if got := appendDelivery(nil, 0, quote("c0"), quote("n0"), nil); string(got) != `{"id":0,"src":"c0","dest":"n0","body":{}}`+"\n" {
		t.Fatalf("nil body: %s", got)
	}
}

func TestInReplyTo(t *testing.T) {
	for body, want := range map[string]int64{`{"in_reply_to":4}`: 4, `{"a":{"in_reply_to":9},"in_reply_to":-2}`: -2} {
		if v, ok := InReplyTo([]byte(body)); !ok || v != want {
			t.Errorf("%s: %d %v", body, v, ok)
		}
	}
	for _, body := range []string{`{"in_reply_to":1.0}`, `{"In_Reply_To":1}`, `{"in_reply_to":"1"}`, `{}`, `{"in_reply_to":null}`} {
		if _, ok := InReplyTo([]byte(body)); ok {
			t.Errorf("%s: matched", body)
		}
	}
}

// FuzzParseEnvelope: the hand-written scanner agrees with encoding/json on
// every line json.Valid accepts, and never panics.
func FuzzParseEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"src":"n1","dest":"c3","body":{"type":"read_ok","messages":[1,2]}}`,
		`{"src":"n\"1","dest":"n2","id":3,"body":{"x":"}]\\"}}`,
		`{"src":"n1","dest":"n2","body":[]}`, `[]`, `{}`, `1`, `{"a":{"b":[{},[]]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		env, err := parseEnvelope(line)
		if len(bytes.TrimSpace(line)) == 0 {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("blank line: %v", err)
			}
			return
		}
		if !json.Valid(line) {
			if !errors.Is(err, ErrNotJSON) {
				t.Fatalf("invalid JSON accepted: %q (%v)", line, err)
			}
			return
		}
		var generic map[string]json.RawMessage
		if json.Unmarshal(line, &generic) != nil {
			if err == nil {
				t.Fatalf("non-object accepted: %q", line)
			}
			return
		}
		if err != nil {
			return
		}
		// encoding/json matches keys case-insensitively when decoding into
		// structs but not into maps, so the map is a fair oracle here.
		var src, dest string
		if json.Unmarshal(generic["src"], &src) != nil || src != string(env.src) {
			t.Fatalf("src mismatch on %q: %q", line, env.src)
		}
		if json.Unmarshal(generic["dest"], &dest) != nil || dest != string(env.dest) {
			t.Fatalf("dest mismatch on %q: %q", line, env.dest)
		}
		out := appendDelivery(nil, 1, quote(src), quote(dest), env.body)
		if !json.Valid(out[:len(out)-1]) {
			t.Fatalf("re-encoded line is not JSON: %q", out)
		}
	})
}
