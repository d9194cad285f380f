package store

import (
	"math"
	"math/rand"
	"slices"
	"testing"
	"testing/quick"
)

// sampleRecords are the record contents the codec tests write.
var sampleRecords = [][]int64{
	{7},
	{-5, 0, 3, 1 << 40},
	{math.MinInt64, -1, math.MaxInt64},
	{},
	{10, 11, 12, 13, 14, 15, 300, 70000},
}

// encodeSegment returns a segment holding recs and the end offset of each.
func encodeSegment(recs [][]int64) (data []byte, ends []int) {
	for _, r := range recs {
		data = appendValuesRecord(data, r)
		ends = append(ends, len(data))
	}
	return data, ends
}

func scanAll(data []byte) (recs [][]int64, good int, damage *segmentDamage) {
	good, damage = scanRecords(data, func(v []int64) { recs = append(recs, slices.Clone(v)) })
	return recs, good, damage
}

func equalRecords(a, b [][]int64) bool {
	return slices.EqualFunc(a, b, func(x, y []int64) bool { return slices.Equal(x, y) })
}

// Rule: value lists round-trip, including the int64 extremes.
func TestValueListRoundTrip(t *testing.T) {
	check := func(vals []int64, extremes uint8) bool {
		if extremes&1 != 0 {
			vals = append(vals, math.MinInt64)
		}
		if extremes&2 != 0 {
			vals = append(vals, math.MaxInt64)
		}
		slices.Sort(vals)
		vals = slices.Compact(vals)
		got, err := decodeValueList(appendValueList(nil, vals), nil)
		return err == nil && slices.Equal(got, vals)
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 1000, Rand: rand.New(rand.NewSource(2))}); err != nil {
		t.Fatal(err)
	}
}

// Rule: a segment cut at any byte offset yields exactly the records that lie
// wholly before the cut, and the cut is classified as a torn tail.
func TestScanRecordsCutAtEveryOffset(t *testing.T) {
	data, ends := encodeSegment(sampleRecords)
	for cut := 0; cut <= len(data); cut++ {
		recs, good, damage := scanAll(data[:cut])
		n := 0
		for n < len(ends) && ends[n] <= cut {
			n++
		}
		wantGood := 0
		if n > 0 {
			wantGood = ends[n-1]
		}
		if !equalRecords(recs, sampleRecords[:n]) || good != wantGood {
			t.Fatalf("cut %d: got %d records (good %d), want %d (good %d)", cut, len(recs), good, n, wantGood)
		}
		atBoundary := cut == wantGood
		if atBoundary != (damage == nil) {
			t.Fatalf("cut %d: damage = %v, at record boundary = %v", cut, damage, atBoundary)
		}
		if damage != nil && (!damage.Torn || damage.Offset != good) {
			t.Fatalf("cut %d: damage %+v, want torn at %d", cut, damage, good)
		}
	}
}

// Rule: a flipped bit anywhere in a record is detected: that record and
// everything after it are not returned, everything before it is.
func TestScanRecordsDetectsEveryBitFlip(t *testing.T) {
	data, ends := encodeSegment(sampleRecords)
	for pos := range data {
		rec := 0
		for ends[rec] <= pos {
			rec++
		}
		for bit := range 8 {
			bad := slices.Clone(data)
			bad[pos] ^= 1 << bit
			recs, good, damage := scanAll(bad)
			start := 0
			if rec > 0 {
				start = ends[rec-1]
			}
			if damage == nil || damage.Offset != start || good != start || !equalRecords(recs, sampleRecords[:rec]) {
				t.Fatalf("flip byte %d bit %d (record %d): got %d records, good %d, damage %+v", pos, bit, rec, len(recs), good, damage)
			}
			// Damage with good records after it is not a torn tail.
			if rec < len(sampleRecords)-1 && damage.Torn && ends[rec] < len(data) && !lengthFieldFlip(pos, start) {
				t.Fatalf("flip byte %d bit %d: damage in the middle classified as torn", pos, bit)
			}
		}
	}
}

// lengthFieldFlip reports whether pos is in the length field of the record
// at start: a flip there can make the record claim to run past the end,
// which is indistinguishable from a torn write.
func lengthFieldFlip(pos, start int) bool { return pos >= start && pos < start+4 }

// Rule: a zero-filled tail (ext4 after a crash) is a torn tail, not corruption.
func TestScanRecordsZeroTailIsTorn(t *testing.T) {
	data, ends := encodeSegment(sampleRecords[:2])
	data = append(data, make([]byte, 100)...)
	recs, good, damage := scanAll(data)
	if damage == nil || !damage.Torn || good != ends[1] || len(recs) != 2 {
		t.Fatalf("zero tail: %d records, good %d, damage %+v", len(recs), good, damage)
	}
}

// Rule: a snapshot that is cut short or has any bit flipped does not decode.
func TestSnapshotDetectsEveryCutAndBitFlip(t *testing.T) {
	vals := []int64{math.MinInt64, -300, -1, 0, 1, 2, 1000, 1 << 50, math.MaxInt64}
	data := snapshotBytes(vals)
	got, err := decodeSnapshot(data)
	if err != nil || !slices.Equal(got, vals) {
		t.Fatalf("round trip: %v, %v", got, err)
	}
	for cut := range len(data) {
		if _, err := decodeSnapshot(data[:cut]); err == nil {
			t.Fatalf("snapshot cut at %d of %d decoded", cut, len(data))
		}
	}
	for pos := range data {
		for bit := range 8 {
			bad := slices.Clone(data)
			bad[pos] ^= 1 << bit
			if _, err := decodeSnapshot(bad); err == nil {
				t.Fatalf("snapshot with byte %d bit %d flipped decoded", pos, bit)
			}
		}
	}
	empty := snapshotBytes(nil)
	if got, err := decodeSnapshot(empty); err != nil || len(got) != 0 {
		t.Fatalf("empty snapshot: %v, %v", got, err)
	}
}

// FuzzScanRecords: the record decoder never panics, and whatever it accepts
// is ascending, re-encodes, and scans back to the same records.
func FuzzScanRecords(f *testing.F) {
	data, _ := encodeSegment(sampleRecords)
	f.Add(data)
	f.Add(data[:len(data)-3])
	f.Add([]byte{})
	f.Add(make([]byte, 12))
	f.Add(appendValuesRecord(nil, []int64{1, 2, 3}))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, good, damage := scanAll(data)
		if good < 0 || good > len(data) || (damage == nil) != (good == len(data)) {
			t.Fatalf("good %d of %d, damage %v", good, len(data), damage)
		}
		for _, r := range recs {
			for i := 1; i < len(r); i++ {
				if r[i] <= r[i-1] {
					t.Fatalf("record not strictly ascending: %v", r)
				}
			}
		}
		again, good2, damage2 := scanAll(appendRecords(recs))
		if damage2 != nil || !equalRecords(again, recs) || good2 != len(appendRecords(recs)) {
			t.Fatalf("re-encoded records do not scan back")
		}
	})
}

func appendRecords(recs [][]int64) []byte {
	var out []byte
	for _, r := range recs {
		out = appendValuesRecord(out, r)
	}
	return out
}

// FuzzDecodeSnapshot: the snapshot decoder never panics, and whatever it
// accepts is strictly ascending and round-trips.
func FuzzDecodeSnapshot(f *testing.F) {
	f.Add(snapshotBytes([]int64{-4, 0, 9, math.MaxInt64}))
	f.Add(snapshotBytes(nil))
	f.Add([]byte(snapshotMagic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		vals, err := decodeSnapshot(data)
		if err != nil {
			return
		}
		for i := 1; i < len(vals); i++ {
			if vals[i] <= vals[i-1] {
				t.Fatalf("snapshot not strictly ascending: %v", vals)
			}
		}
		again, err := decodeSnapshot(snapshotBytes(vals))
		if err != nil || !slices.Equal(again, vals) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzDecodeValueList: the shared value-list decoder never panics and
// accepts only strictly ascending lists that round-trip.
func FuzzDecodeValueList(f *testing.F) {
	f.Add(appendValueList(nil, []int64{math.MinInt64, 0, math.MaxInt64}))
	f.Add([]byte{0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		vals, err := decodeValueList(data, nil)
		if err != nil {
			return
		}
		for i := 1; i < len(vals); i++ {
			if vals[i] <= vals[i-1] {
				t.Fatalf("not strictly ascending: %v", vals)
			}
		}
		again, err := decodeValueList(appendValueList(nil, vals), nil)
		if err != nil || !slices.Equal(again, vals) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// snapshotBytes is the snapshot file encoding of sorted.
func snapshotBytes(sorted []int64) []byte {
	return encodeSnapshot(nil, len(sorted), slices.Values(sorted))
}
