package netsim

import (
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	"broadcast/maelstrom/history"
)

// counters are the journal counts of one :net group (MODEL.md, "Msgs-per-op"). msg-count equals
// send-count: every message gets a fresh id.
type counters struct {
	send, recv atomic.Int64
}

func (c *counters) snapshot() history.Counts {
	s := c.send.Load()
	return history.Counts{Send: s, Recv: c.recv.Load(), Msg: s}
}

// series is the message-rate time series: lock-free buckets, allocated in
// chunks on demand.
type series struct {
	width  int64
	chunks [seriesMaxChunks]atomic.Pointer[seriesChunk]
	maxIdx atomic.Int64
}

const (
	seriesChunkLen  = 1024
	seriesMaxChunks = 256 // 256 * 1024 * 100 ms: about 7 hours
)

type seriesChunk [seriesChunkLen]struct{ server, client, dropped atomic.Int64 }

// kinds of series counts.
const (
	seriesServer = iota
	seriesClient
	seriesDropped
)

func (s *series) add(t int64, kind int) {
	if t < 0 {
		t = 0
	}
	idx := t / s.width
	ci := idx / seriesChunkLen
	if ci >= seriesMaxChunks {
		ci, idx = seriesMaxChunks-1, seriesMaxChunks*seriesChunkLen-1
	}
	ch := s.chunks[ci].Load()
	if ch == nil {
		fresh := new(seriesChunk)
		if s.chunks[ci].CompareAndSwap(nil, fresh) {
			ch = fresh
		} else {
			ch = s.chunks[ci].Load()
		}
	}
	b := &ch[idx%seriesChunkLen]
	switch kind {
	case seriesServer:
		b.server.Add(1)
	case seriesClient:
		b.client.Add(1)
	default:
		b.dropped.Add(1)
	}
	for {
		m := s.maxIdx.Load()
		if idx <= m || s.maxIdx.CompareAndSwap(m, idx) {
			break
		}
	}
}

func (s *series) snapshot() []history.Sample {
	n := s.maxIdx.Load() + 1
	out := make([]history.Sample, 0, n)
	for idx := int64(0); idx < n; idx++ {
		smp := history.Sample{Time: idx * s.width}
		if ch := s.chunks[idx/seriesChunkLen].Load(); ch != nil {
			b := &ch[idx%seriesChunkLen]
			smp.ServerMsgs, smp.ClientMsgs, smp.Dropped = b.server.Load(), b.client.Load(), b.dropped.Load()
		}
		out = append(out, smp)
	}
	return out
}

// Histogram is a log-linear histogram of non-negative durations in
// nanoseconds: exact below 128 ns, then 64 sub-buckets per power of two
// (relative error under 1.6 %). The zero value is ready to use; it is not
// safe for concurrent use.
type Histogram struct {
	counts []int64
	n      int64
	sum    float64
	max    int64
}

const histSub = 64

func histIndex(v int64) int {
	if v < 2*histSub {
		return int(v)
	}
	e := bits.Len64(uint64(v)) - 7 // v>>e in [64, 128)
	return 2*histSub + (e-1)*histSub + int(v>>uint(e)) - histSub
}

// histLow returns the smallest value of bucket idx.
func histLow(idx int) int64 {
	if idx < 2*histSub {
		return int64(idx)
	}
	k := idx - 2*histSub
	e := k/histSub + 1
	return int64(k%histSub+histSub) << uint(e)
}

// Add records one value; negatives count as 0.
func (h *Histogram) Add(v int64) {
	if v < 0 {
		v = 0
	}
	i := histIndex(v)
	if i >= len(h.counts) {
		grown := make([]int64, i+1+histSub)
		copy(grown, h.counts)
		h.counts = grown
	}
	h.counts[i]++
	h.n++
	h.sum += float64(v)
	if v > h.max {
		h.max = v
	}
}

// Merge adds o's counts into h.
func (h *Histogram) Merge(o *Histogram) {
	if len(o.counts) > len(h.counts) {
		grown := make([]int64, len(o.counts))
		copy(grown, h.counts)
		h.counts = grown
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	if o.max > h.max {
		h.max = o.max
	}
}

// Count returns the number of values recorded.
func (h *Histogram) Count() int64 { return h.n }

// Max returns the largest value recorded (exact).
func (h *Histogram) Max() int64 { return h.max }

// Mean returns the mean value (exact), 0 if empty.
func (h *Histogram) Mean() float64 {
	if h.n == 0 {
		return 0
	}
	return h.sum / float64(h.n)
}

// Quantile returns the value at quantile q in [0, 1]: the lower bound of
// the bucket holding the ceil(q*n)-th value (the exact maximum for q = 1).
func (h *Histogram) Quantile(q float64) int64 {
	if h.n == 0 {
		return 0
	}
	if q >= 1 {
		return h.max
	}
	rank := int64(math.Ceil(q * float64(h.n)))
	if rank < 1 {
		rank = 1
	}
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			v := histLow(i)
			if v > h.max {
				v = h.max
			}
			return v
		}
	}
	return h.max
}

// Lateness summarises how late messages were handed to server nodes,
// against their due time (deadline), over a run.
type Lateness struct {
	Count int64         `json:"count"`
	P50   time.Duration `json:"p50-ns"`
	P90   time.Duration `json:"p90-ns"`
	P99   time.Duration `json:"p99-ns"`
	P999  time.Duration `json:"p999-ns"`
	Max   time.Duration `json:"max-ns"`
	Mean  time.Duration `json:"mean-ns"`
}

// Summary returns the quantiles of h as a Lateness.
func (h *Histogram) Summary() Lateness {
	return Lateness{
		Count: h.n,
		P50:   time.Duration(h.Quantile(0.5)),
		P90:   time.Duration(h.Quantile(0.9)),
		P99:   time.Duration(h.Quantile(0.99)),
		P999:  time.Duration(h.Quantile(0.999)),
		Max:   time.Duration(h.max),
		Mean:  time.Duration(h.Mean()),
	}
}

// lockedHist is a Histogram with a mutex, owned by one delivery goroutine
// and read by progress reports.
type lockedHist struct {
	mu sync.Mutex // protects h
	h  Histogram
}

func (l *lockedHist) add(v int64) {
	l.mu.Lock()
	l.h.Add(v)
	l.mu.Unlock()
}

func (l *lockedHist) mergeInto(dst *Histogram) {
	l.mu.Lock()
	dst.Merge(&l.h)
	l.mu.Unlock()
}
