package workload

import (
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

// Errors is Maelstrom's error registry (MODEL.md, "Errors"); any other code is
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

// Complete turns one RPC outcome into the completion of inv (MODEL.md, "Outcomes"): reply
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
	members, keys := replyMembers(reply.Body)
	if e, isErr := parseError(members); isErr {
		c.Error = []any{e.Name, e.Text}
		if e.Definite || isRead {
			c.Type = history.Fail
		} else {
			c.Type = history.Info
		}
		return c
	}
	want := "broadcast_ok"
	if isRead {
		want = "read_ok"
	}
	if problems := schemaProblems(want, members, keys); len(problems) > 0 {
		c.Type = history.Info
		c.Exception = ExceptionClass
		c.Error = "indeterminate: " + malformedText(inv, msgID, reply.Body, problems)
		return c
	}
	c.Type = history.OK
	if isRead {
		r, err := history.ParseReadValue(members["messages"])
		if err != nil {
			r, _ = history.ParseReadValue([]byte("[]"))
		}
		c.Value = r
	}
	return c
}

// replyMembers returns a reply body's top-level members (the last of a
// repeated key wins) and its keys in order of first appearance.
func replyMembers(body []byte) (map[string]json.RawMessage, []string) {
	members := map[string]json.RawMessage{}
	var keys []string
	netsim.Members(body, func(k string, v json.RawMessage) {
		if _, dup := members[k]; !dup {
			keys = append(keys, k)
		}
		members[k] = v
	})
	return members, keys
}

func str(raw json.RawMessage) string {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// ErrorReply is an error reply (MODEL.md, "Errors").
type ErrorReply struct {
	// Code is the reply's code; CodeOK says whether it was an integer.
	Code   int64
	CodeOK bool
	// Name is the code's name in Maelstrom's table, or "unknown".
	Name string
	// Definite says the operation certainly did not happen.
	Definite bool
	// Text is the reply's text (any JSON value), nil if absent or null.
	Text any
}

// ParseError reports whether body is an error reply ({"type": "error"}),
// and reads it.
func ParseError(body []byte) (ErrorReply, bool) {
	members, _ := replyMembers(body)
	return parseError(members)
}

func parseError(members map[string]json.RawMessage) (ErrorReply, bool) {
	if str(members["type"]) != "error" {
		return ErrorReply{}, false
	}
	e := ErrorReply{Name: "unknown", Code: -1}
	if code, ok := history.IntLiteral(members["code"]); ok {
		e.Code, e.CodeOK = code, true
		if d, known := Errors[code]; known {
			e.Name, e.Definite = d.Name, d.Definite
		}
	}
	if raw, ok := members["text"]; ok && string(raw) != "null" {
		var v any
		if json.Unmarshal(raw, &v) == nil {
			e.Text = v
		}
	}
	return e, true
}

// ReplyProblems checks a reply body against Maelstrom's closed response
// schema for the reply type want (topology_ok, broadcast_ok, read_ok; see
// MODEL.md, "Reply schemas") and returns the problems in Maelstrom's
// words, or nil if it passes. in_reply_to and msg_id must be integer
// literals: null fails.
func ReplyProblems(want string, body []byte) []string {
	members, keys := replyMembers(body)
	return schemaProblems(want, members, keys)
}

// ReplySchema is the schema text Maelstrom prints for want.
func ReplySchema(want string) string {
	if want == "read_ok" {
		return `{:type (eq "read_ok"), :messages [Any], (optional-key :msg_id) Int, :in_reply_to Int}`
	}
	return fmt.Sprintf(`{:type (eq %q), (optional-key :msg_id) Int, :in_reply_to Int}`, want)
}

// schemaProblems applies the closed response schema for want.
func schemaProblems(want string, m map[string]json.RawMessage, keys []string) []string {
	allowed := map[string]bool{"type": true, "in_reply_to": true, "msg_id": true}
	if want == "read_ok" {
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
	} else if _, isInt := history.IntLiteral(raw); !isInt {
		problems = append(problems, fmt.Sprintf(":in_reply_to (not (integer? %s))", raw))
	}
	if raw, ok := m["msg_id"]; ok {
		if _, isInt := history.IntLiteral(raw); !isInt {
			problems = append(problems, fmt.Sprintf(":msg_id (not (integer? %s))", raw))
		}
	}
	if want == "read_ok" {
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

// MalformedText is Maelstrom's "Malformed RPC response" message for a reply
// from node to request (rendered as EDN) that failed schema.
func MalformedText(node, request, schema string, body []byte, problems []string) string {
	return fmt.Sprintf("Malformed RPC response. Maelstrom sent node %s the following request:\n\n%s\n\nAnd expected a response of the form:\n\n%s\n\n... but instead received\n\n%s\n\nThis is malformed because:\n\n{%s}\n\nSee doc/protocol.md for more guidance.",
		node, request, schema, body, strings.Join(problems, ", "))
}

func malformedText(inv history.Op, msgID int64, body []byte, problems []string) string {
	if inv.F == "read" {
		return MalformedText(inv.Node, fmt.Sprintf(`{:type "read", :msg_id %d}`, msgID), ReplySchema("read_ok"), body, problems)
	}
	v, _ := inv.Value.(int64)
	return MalformedText(inv.Node, fmt.Sprintf(`{:type "broadcast", :message %d, :msg_id %d}`, v, msgID), ReplySchema("broadcast_ok"), body, problems)
}
