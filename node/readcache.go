package node

import (
	"slices"
	"strconv"

	"broadcast/store"
)

// maxReadAppend is how many values may become visible between two reads
// before the read cache stops tracking them and is rebuilt from the set.
const maxReadAppend = 4096

// readCache is the messages array of read_ok for the visible set. It is
// encoded in one pass over the set, then extended in place while new
// values arrive above its largest one (a dense workload's usual order);
// any other change rebuilds it at the next read. Lines queued for the
// writer share its bytes: bytes below a length once handed out never
// change, since extending only appends (or reallocates).
type readCache struct {
	buf   []byte  // "[v1,v2,...,vn": the array without its closing bracket
	valid bool    // buf plus added is the visible set
	count int     // values in buf
	max   int64   // the largest value in buf (when count > 0)
	added []int64 // values made visible since buf was last brought up to date
}

// noteAdded records v, which has just been added to the visible set.
func (c *readCache) noteAdded(v int64) {
	if !c.valid {
		return
	}
	if len(c.added) >= maxReadAppend || (c.count > 0 && v < c.max) {
		c.valid = false
		c.added = c.added[:0]
		return
	}
	c.added = append(c.added, v)
}

// messages returns the array (without its closing bracket, see
// appendReadOKTail) for set, the visible set: at most one pass over set.
// The slice is read-only.
func (c *readCache) messages(set *store.Set) []byte {
	if c.valid && len(c.added) > 0 {
		slices.Sort(c.added)
		if c.count > 0 && c.added[0] < c.max {
			c.valid = false
		} else {
			for _, v := range c.added {
				c.buf = c.appendValue(c.buf, v)
			}
		}
		c.added = c.added[:0]
	}
	if !c.valid {
		// A new buffer, not the old one reused: lines still queued for
		// the writer share the old one.
		buf := make([]byte, 0, len(c.buf)+len(c.buf)/4+64)
		buf = append(buf, '[')
		c.count = 0
		for v := range set.All() {
			buf = c.appendValue(buf, v)
		}
		c.buf, c.valid = buf, true
		c.added = c.added[:0]
	}
	return c.buf
}

// appendValue appends v as the next array element and counts it.
func (c *readCache) appendValue(buf []byte, v int64) []byte {
	if c.count > 0 {
		buf = append(buf, ',')
	}
	c.count++
	c.max = v
	return strconv.AppendInt(buf, v, 10)
}
