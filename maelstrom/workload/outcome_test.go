package workload

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"broadcast/maelstrom/history"
	"broadcast/maelstrom/netsim"
)

func inv(f string, v int64) history.Op {
	op := history.Op{Index: 7, Time: 100, Type: history.Invoke, Process: 3, F: f, Node: "n1"}
	if f == "broadcast" {
		op.Value = v
	}
	return op
}

func reply(body string) netsim.Message {
	return netsim.Message{ID: 9, Src: "n1", Dest: "c5", Body: json.RawMessage(body)}
}

// Reference: MODEL.md, "Outcomes" outcome table, MODEL.md, "Errors" error codes, acceptance cases 12-17.
func TestComplete(t *testing.T) {
	type want struct {
		typ   history.Type
		err   any
		value any
		exc   bool
	}
	cases := []struct {
		name string
		f    string
		body string
		err  error
		want want
	}{
		{"broadcast ok", "broadcast", `{"type":"broadcast_ok","in_reply_to":1}`, nil, want{history.OK, nil, int64(4), false}},
		{"broadcast ok msg_id", "broadcast", `{"type":"broadcast_ok","in_reply_to":1,"msg_id":3}`, nil, want{history.OK, nil, int64(4), false}},
		{"read ok", "read", `{"type":"read_ok","messages":[1,3.0,1,"x"],"in_reply_to":1}`, nil,
			want{history.OK, nil, []json.RawMessage{json.RawMessage("1"), json.RawMessage("3.0"), json.RawMessage("1"), json.RawMessage(`"x"`)}, false}},
		{"read ok empty", "read", `{"type":"read_ok","messages":[],"in_reply_to":1}`, nil, want{history.OK, nil, []json.RawMessage{}, false}},
		{"broadcast timeout", "broadcast", ``, netsim.ErrTimeout, want{history.Info, "net-timeout", int64(4), false}},
		{"read timeout", "read", ``, netsim.ErrTimeout, want{history.Fail, "net-timeout", nil, false}},
		{"code 11", "broadcast", `{"type":"error","code":11,"text":"busy","in_reply_to":1}`, nil, want{history.Fail, []any{"temporarily-unavailable", "busy"}, int64(4), false}},
		{"code 13", "broadcast", `{"type":"error","code":13,"text":"boom","in_reply_to":1}`, nil, want{history.Info, []any{"crash", "boom"}, int64(4), false}},
		{"code 1000", "broadcast", `{"type":"error","code":1000,"text":"mine","in_reply_to":1,"extra":true}`, nil, want{history.Info, []any{"unknown", "mine"}, int64(4), false}},
		{"no code", "broadcast", `{"type":"error","in_reply_to":1}`, nil, want{history.Info, []any{"unknown", nil}, int64(4), false}},
		{"read code 13", "read", `{"type":"error","code":13,"text":"boom","in_reply_to":1}`, nil, want{history.Fail, []any{"crash", "boom"}, nil, false}},
		{"read code 1", "read", `{"type":"error","code":1,"in_reply_to":1}`, nil, want{history.Fail, []any{"node-not-found", nil}, nil, false}},
		{"read extra key", "read", `{"type":"read_ok","messages":[],"in_reply_to":1,"extra":1}`, nil, want{history.Info, "indeterminate: Malformed RPC response", nil, true}},
		{"read messages null", "read", `{"type":"read_ok","messages":null,"in_reply_to":1}`, nil, want{history.Info, "indeterminate: Malformed RPC response", nil, true}},
		{"read no messages", "read", `{"type":"read_ok","in_reply_to":1}`, nil, want{history.Info, "indeterminate: Malformed RPC response", nil, true}},
		{"broadcast wrong type", "broadcast", `{"type":"read_ok","in_reply_to":1}`, nil, want{history.Info, "indeterminate: Malformed RPC response", int64(4), true}},
		{"broadcast extra key", "broadcast", `{"type":"broadcast_ok","in_reply_to":1,"ok":true}`, nil, want{history.Info, "indeterminate: Malformed RPC response", int64(4), true}},
		{"other error", "broadcast", ``, errors.New("boom"), want{history.Info, "indeterminate: boom", int64(4), true}},
	}
	for _, c := range cases {
		got := Complete(inv(c.f, 4), reply(c.body), 1, c.err, 555)
		if got.Type != c.want.typ || got.Time != 555 || got.Index != 0 || got.Process != 3 || got.F != c.f || got.Node != "n1" {
			t.Errorf("%s: %+v", c.name, got)
			continue
		}
		if s, ok := c.want.err.(string); ok && strings.HasPrefix(s, "indeterminate") {
			gs, _ := got.Error.(string)
			if !strings.HasPrefix(gs, s) {
				t.Errorf("%s: error %q, want prefix %q", c.name, gs, s)
			}
		} else if !reflect.DeepEqual(got.Error, c.want.err) {
			t.Errorf("%s: error %#v, want %#v", c.name, got.Error, c.want.err)
		}
		if r, ok := got.Value.(*history.ReadValue); ok {
			got.Value = got.ReadValues()
			if r.Len() != len(got.ReadValues()) {
				t.Errorf("%s: read Len %d", c.name, r.Len())
			}
		}
		if !reflect.DeepEqual(got.Value, c.want.value) {
			t.Errorf("%s: value %#v, want %#v", c.name, got.Value, c.want.value)
		}
		if (got.Exception != "") != c.want.exc {
			t.Errorf("%s: exception %q", c.name, got.Exception)
		}
	}
}

// Rule: a null msg_id or in_reply_to is not an Int (Maelstrom's schema
// checks (integer? nil)), in topology_ok and broadcast_ok alike: the
// topology reply is malformed (the runner aborts on it) and the broadcast
// becomes :info with the malformed-response error.
func TestNullIDsFailTheIntSchema(t *testing.T) {
	for _, body := range []string{
		`{"type":"topology_ok","in_reply_to":1,"msg_id":null}`,
		`{"type":"topology_ok","in_reply_to":null}`,
	} {
		if p := ReplyProblems("topology_ok", []byte(body)); len(p) != 1 || !strings.Contains(p[0], "(not (integer? null))") {
			t.Errorf("%s: problems %q", body, p)
		}
	}
	if p := ReplyProblems("topology_ok", []byte(`{"type":"topology_ok","in_reply_to":1,"msg_id":7}`)); len(p) != 0 {
		t.Errorf("a good topology_ok has problems %q", p)
	}
	inv := history.Op{Type: history.Invoke, Process: 0, F: "broadcast", Value: int64(3), Node: "n0"}
	for _, body := range []string{
		`{"type":"broadcast_ok","in_reply_to":1,"msg_id":null}`,
		`{"type":"broadcast_ok","in_reply_to":null}`,
	} {
		c := Complete(inv, netsim.Message{Body: []byte(body)}, 1, nil, 5)
		if c.Type != history.Info || !strings.Contains(c.Error.(string), "(not (integer? null))") || c.Exception != ExceptionClass {
			t.Errorf("%s: completion %+v", body, c)
		}
	}
}
