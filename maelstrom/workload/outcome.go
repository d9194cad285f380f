package workload

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"broadcast/maelstrom/history"
	"broadcast/maelstrom/netsim"
)

// ExceptionClass is the :exception class Maelstrom records for malformed
// responses (a slingshot throw+, i.e. clojure.lang.ExceptionInfo).
const ExceptionClass = "clojure.lang.ExceptionInfo"

// ErrorDef is one row of Maelstrom's error table (resources/errors.edn).
type ErrorDef struct {
	Name     string
	Definite bool
}

// Errors is Maelstrom's error registry (§1.5); any other code is
// :unknown and indefinite.
var Errors = map[int64]ErrorDef{
	0:  {"timeout", false},
	1:  {"node-not-found", true},
	10: {"not-supported", true},
	11: {"temporarily-unavailable", true},
	12: {"malformed-request", true},
	13: {"crash", false},
	14: {"abort", true},
	20: {"key-does-not-exist", true},
	21: {"key-already-exists", true},
	22: {"precondition-failed", true},
	30: {"txn-conflict", true},
}

// broadcastReq and readReq are the request bodies (msg_id is added by the
// client).
type broadcastReq struct {
	Type    string `json:"type"`
	Message int64  `json:"message"`
}

type readReq struct {
	Type string `json:"type"`
}

// Request returns the request body for op.
func Request(op Op) any {
	if op.F == "broadcast" {
		return broadcastReq{Type: "broadcast", Message: op.Value}
	}
	return readReq{Type: "read"}
}

// Complete turns one RPC outcome into the completion of inv (§4.5): reply
// and err are what netsim.Client.Call returned, msgID the request's msg_id,
// t the collection time.
func Complete(inv history.Op, reply netsim.Message, msgID int64, err error, t int64) history.Op {
	c := inv
	c.Index = 0
	c.Time = t
	c.Error = nil
	c.Exception = ""
	isRead := inv.F == "read"
	if isRead {
		c.Value = nil
	}
	if err != nil {
		if errors.Is(err, netsim.ErrTimeout) {
			c.Error = "net-timeout"
			if isRead {
				c.Type = history.Fail
			} else {
				c.Type = history.Info
			}
			return c
		}
		c.Type = history.Info
		c.Error = "indeterminate: " + err.Error()
		c.Exception = ExceptionClass
		return c
	}
	members := map[string]json.RawMessage{}
	var keys []string
	netsim.Members(reply.Body, func(k string, v json.RawMessage) {
		if _, dup := members[k]; !dup {
			keys = append(keys, k)
		}
		members[k] = v
	})
	if str(members["type"]) == "error" {
		name, definite := "unknown", false
		if code, ok := intLit(members["code"]); ok {
			if d, known := Errors[code]; known {
				name, definite = d.Name, d.Definite
			}
		}
		var text any
		if raw, ok := members["text"]; ok && string(raw) != "null" {
			var v any
			if json.Unmarshal(raw, &v) == nil {
				text = v
			}
		}
		c.Error = []any{name, text}
		if definite || isRead {
			c.Type = history.Fail
		} else {
			c.Type = history.Info
		}
		return c
	}
	if problems := checkSchema(inv.F, members, keys); len(problems) > 0 {
		c.Type = history.Info
		c.Exception = ExceptionClass
		c.Error = "indeterminate: " + malformedText(inv, msgID, reply.Body, problems)
		return c
	}
	c.Type = history.OK
	if isRead {
		var elems []json.RawMessage
		json.Unmarshal(members["messages"], &elems)
		if elems == nil {
			elems = []json.RawMessage{}
		}
		c.Value = elems
	}
	return c
}

func str(raw json.RawMessage) string {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

func intLit(raw json.RawMessage) (int64, bool) {
	var v int64
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return 0, false
	}
	for i, ch := range b {
		if !(ch >= '0' && ch <= '9') && !(i == 0 && ch == '-') {
			return 0, false
		}
	}
	if json.Unmarshal(b, &v) != nil {
		return 0, false
	}
	return v, true
}

// checkSchema applies the closed response schemas of §4.4.
func checkSchema(f string, m map[string]json.RawMessage, keys []string) []string {
	want := "broadcast_ok"
	allowed := map[string]bool{"type": true, "in_reply_to": true, "msg_id": true}
	if f == "read" {
		want = "read_ok"
		allowed["messages"] = true
	}
	var problems []string
	if raw, ok := m["type"]; !ok {
		problems = append(problems, ":type missing-required-key")
	} else if str(raw) != want {
		problems = append(problems, fmt.Sprintf(":type (not (= %q %s))", want, raw))
	}
	if raw, ok := m["in_reply_to"]; !ok {
		problems = append(problems, ":in_reply_to missing-required-key")
	} else if _, isInt := intLit(raw); !isInt {
		problems = append(problems, fmt.Sprintf(":in_reply_to (not (integer? %s))", raw))
	}
	if raw, ok := m["msg_id"]; ok {
		if _, isInt := intLit(raw); !isInt {
			problems = append(problems, fmt.Sprintf(":msg_id (not (integer? %s))", raw))
		}
	}
	if f == "read" {
		if raw, ok := m["messages"]; !ok {
			problems = append(problems, ":messages missing-required-key")
		} else if len(raw) == 0 || raw[0] != '[' {
			problems = append(problems, fmt.Sprintf(":messages (not (sequential? %s))", raw))
		}
	}
	extra := []string{}
	for _, k := range keys {
		if !allowed[k] {
			extra = append(extra, fmt.Sprintf(":%s disallowed-key", k))
		}
	}
	sort.Strings(extra)
	return append(problems, extra...)
}

func malformedText(inv history.Op, msgID int64, body []byte, problems []string) string {
	var req, schema string
	if inv.F == "read" {
		req = fmt.Sprintf(`{:type "read", :msg_id %d}`, msgID)
		schema = `{:type (eq "read_ok"), :messages [Any], (optional-key :msg_id) Int, :in_reply_to Int}`
	} else {
		v, _ := inv.Value.(int64)
		req = fmt.Sprintf(`{:type "broadcast", :message %d, :msg_id %d}`, v, msgID)
		schema = `{:type (eq "broadcast_ok"), (optional-key :msg_id) Int, :in_reply_to Int}`
	}
	return fmt.Sprintf("Malformed RPC response. Maelstrom sent node %s the following request:\n\n%s\n\nAnd expected a response of the form:\n\n%s\n\n... but instead received\n\n%s\n\nThis is malformed because:\n\n{%s}\n\nSee doc/protocol.md for more guidance.",
		inv.Node, req, schema, body, strings.Join(problems, ", "))
}
