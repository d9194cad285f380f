package netsim

import (
	"sort"
	"sync"
	"sync/atomic"
)

// This file counts server-to-server messages by body type: where a node's
// messages go (MODEL.md, "Extensions", messages by type).

// TypeCount is how many server-to-server messages with one body type were
// sent, handed to their receiver, and dropped (by a partition or a down
// receiver) over a run. Sent less Delivered and Dropped were still in
// flight when the run ended. SentCut is how many were sent while a
// partition was in force (some link cut, whichever).
type TypeCount struct {
	Type      string `json:"type"`
	Sent      int64  `json:"sent"`
	Delivered int64  `json:"delivered"`
	Dropped   int64  `json:"dropped"`
	SentCut   int64  `json:"sent-while-partitioned"`
}

// Type names that are not a body's type.
const (
	// NoType counts bodies with no string "type".
	NoType = "(none)"
	// OtherTypes counts the types beyond the first maxTypes seen.
	OtherTypes = "(other)"
)

// maxTypes is how many body types are told apart: a node that invents
// types without end cannot grow the bench's memory.
const maxTypes = 64

// typeTable maps body types to counter slots. Lookups take no lock: the
// index is a map replaced whole (under mu) when a type is added, and
// types are few.
type typeTable struct {
	mu    sync.Mutex // serialises additions; protects names and used
	index atomic.Pointer[map[string]int32]
	names [maxTypes + 1]string
	used  int32
	c     [maxTypes + 1]struct{ sent, delivered, dropped, sentCut atomic.Int64 }
}

// slot returns the counter slot of body's type.
func (t *typeTable) slot(body []byte) int32 {
	name := bodyType(body)
	if m := t.index.Load(); m != nil {
		if i, ok := (*m)[string(name)]; ok {
			return i
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.index.Load()
	if old != nil {
		if i, ok := (*old)[string(name)]; ok {
			return i
		}
	}
	if t.used == maxTypes {
		t.names[maxTypes] = OtherTypes
		return maxTypes
	}
	m := make(map[string]int32, t.used+1)
	if old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	i := t.used
	t.names[i] = string(name)
	m[t.names[i]] = i
	t.used++
	t.index.Store(&m)
	return i
}

// noType is NoType as bytes.
var noType = []byte(NoType)

// bodyType returns the body's "type" string, or NoType.
func bodyType(body []byte) []byte {
	name := noType
	if body == nil {
		return name
	}
	eachMember(body, func(key, val []byte) {
		if string(key) == "type" {
			if s, ok := stringValue(val); ok {
				name = s
			}
		}
	})
	return name
}

// sent counts a message of slot i; cut says a partition is in force.
func (t *typeTable) sent(i int32, cut bool) {
	t.c[i].sent.Add(1)
	if cut {
		t.c[i].sentCut.Add(1)
	}
}

func (t *typeTable) delivered(i int32) { t.c[i].delivered.Add(1) }
func (t *typeTable) dropped(i int32)   { t.c[i].dropped.Add(1) }

// snapshot returns the counts of every type seen, most sent first (ties
// by name).
func (t *typeTable) snapshot() []TypeCount {
	t.mu.Lock()
	names := t.names
	used := int(t.used)
	t.mu.Unlock()
	out := []TypeCount{}
	for i := 0; i <= maxTypes; i++ {
		if i >= used && i != maxTypes {
			continue
		}
		c := &t.c[i]
		tc := TypeCount{Type: names[i], Sent: c.sent.Load(), Delivered: c.delivered.Load(), Dropped: c.dropped.Load(), SentCut: c.sentCut.Load()}
		if tc.Sent == 0 {
			continue
		}
		out = append(out, tc)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Sent != out[b].Sent {
			return out[a].Sent > out[b].Sent
		}
		return out[a].Type < out[b].Type
	})
	return out
}
