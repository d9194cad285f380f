package store

// On-disk encodings. Everything is little endian and built with
// encoding/binary; checksums are CRC-32C (Castagnoli).
//
// A value list (used by both records and snapshots) is sorted ascending and
// duplicate-free:
//
//	uvarint count | varint first | uvarint (v[i] - v[i-1]) for i >= 1
//
// A log segment is a sequence of records and nothing else:
//
//	uint32 length of payload | uint32 CRC-32C of (length bytes, payload) | payload
//	payload = byte kind (recordKindValues) | value list
//
// A snapshot file is:
//
//	8-byte magic snapshotMagic | value list | uint32 CRC-32C of all bytes before it

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"iter"
	"math"
	"slices"
)

const (
	recordHeaderSize = 8
	// maxRecordPayload bounds the length a record header may claim, so a
	// corrupt header can not make the reader allocate or skip gigabytes.
	maxRecordPayload = 64 << 20
	// maxRecordValues bounds the values per record the writer produces; a
	// bigger group commit is split into several records (still one write
	// and one fsync).
	maxRecordValues = 1 << 16
	// recordKindValues marks a record that carries a value list. Kinds are
	// only ever appended to.
	recordKindValues byte = 1

	snapshotMagic = "BCSNAP\x00\x01"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var (
	errTruncatedHeader = errors.New("incomplete record header")
	errBadLength       = errors.New("record length out of range")
	errShortRecord     = errors.New("record extends past end of file")
	errChecksum        = errors.New("record checksum mismatch")
)

// appendValueList appends the encoding of sorted (ascending, no duplicates).
func appendValueList(buf []byte, sorted []int64) []byte {
	return appendValueSeq(buf, len(sorted), slices.Values(sorted))
}

// appendValueSeq appends the encoding of the count values of sorted
// (ascending, no duplicates), taken straight from an iterator.
func appendValueSeq(buf []byte, count int, sorted iter.Seq[int64]) []byte {
	buf = binary.AppendUvarint(buf, uint64(count))
	first, prev := true, int64(0)
	for v := range sorted {
		if first {
			buf = binary.AppendVarint(buf, v)
			first = false
		} else {
			buf = binary.AppendUvarint(buf, uint64(v-prev))
		}
		prev = v
	}
	return buf
}

// decodeValueList decodes a value list that must fill p exactly, appending
// the values to dst. The result is strictly ascending.
func decodeValueList(p []byte, dst []int64) ([]int64, error) {
	count, n := binary.Uvarint(p)
	if n <= 0 {
		return dst, errors.New("bad value count")
	}
	p = p[n:]
	// Every value takes at least one byte: reject counts the data can not
	// hold before allocating for them.
	if count > uint64(len(p)) {
		return dst, fmt.Errorf("value count %d exceeds %d remaining bytes", count, len(p))
	}
	dst = growInt64(dst, int(count))
	var prev int64
	for i := uint64(0); i < count; i++ {
		if i == 0 {
			v, n := binary.Varint(p)
			if n <= 0 {
				return dst, errors.New("bad first value")
			}
			p = p[n:]
			prev = v
		} else {
			delta, n := binary.Uvarint(p)
			if n <= 0 {
				return dst, fmt.Errorf("bad delta at value %d", i)
			}
			p = p[n:]
			// room is MaxInt64 - prev, computed modulo 2^64 (exact, since
			// the true difference lies in [0, 2^64)).
			room := uint64(math.MaxInt64) - uint64(prev)
			if delta == 0 || delta > room {
				return dst, fmt.Errorf("delta %d out of range at value %d", delta, i)
			}
			prev = int64(uint64(prev) + delta)
		}
		dst = append(dst, prev)
	}
	if len(p) != 0 {
		return dst, fmt.Errorf("%d trailing bytes after value list", len(p))
	}
	return dst, nil
}

func growInt64(s []int64, n int) []int64 {
	if cap(s)-len(s) >= n {
		return s
	}
	out := make([]int64, len(s), len(s)+n)
	copy(out, s)
	return out
}

// recordChecksum is the CRC-32C of a record's length bytes and payload.
func recordChecksum(lenBytes, payload []byte) uint32 {
	return crc32.Update(crc32.Checksum(lenBytes, castagnoli), castagnoli, payload)
}

// appendValuesRecord appends one checksummed record holding sorted.
func appendValuesRecord(buf []byte, sorted []int64) []byte {
	start := len(buf)
	buf = append(buf, make([]byte, recordHeaderSize)...)
	buf = append(buf, recordKindValues)
	buf = appendValueList(buf, sorted)
	payload := buf[start+recordHeaderSize:]
	binary.LittleEndian.PutUint32(buf[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(buf[start+4:], recordChecksum(buf[start:start+4], payload))
	return buf
}

// appendValuesRecords appends sorted as records of at most maxRecordValues
// values each.
func appendValuesRecords(buf []byte, sorted []int64) []byte {
	for len(sorted) > 0 {
		n := min(len(sorted), maxRecordValues)
		buf = appendValuesRecord(buf, sorted[:n])
		sorted = sorted[n:]
	}
	return buf
}

// segmentDamage describes where and why scanning a segment stopped early.
type segmentDamage struct {
	// Offset is where the first bad record starts; every record before it
	// was good.
	Offset int
	// Torn is true when nothing good follows the damage, as after a partial
	// final write: an incomplete header, a record running past the end, a
	// bad record with no valid record where it claims to end, or only zero
	// bytes. False means a valid record follows the bad one: corruption in
	// the middle.
	Torn bool
	// Err says what was wrong.
	Err error
}

// readRecord checks the record at the start of rest. It returns the
// record's payload and total size, or an error and whether rest is too
// short to hold the record it claims to be.
func readRecord(rest []byte) (payload []byte, size int, short bool, err error) {
	if len(rest) < recordHeaderSize {
		return nil, 0, true, errTruncatedHeader
	}
	length := binary.LittleEndian.Uint32(rest)
	if length > maxRecordPayload {
		return nil, 0, true, fmt.Errorf("%w: %d bytes", errBadLength, length)
	}
	size = recordHeaderSize + int(length)
	if size > len(rest) {
		return nil, 0, true, fmt.Errorf("%w: needs %d bytes, %d left", errShortRecord, size, len(rest))
	}
	payload = rest[recordHeaderSize:size]
	if binary.LittleEndian.Uint32(rest[4:]) != recordChecksum(rest[:4], payload) {
		return nil, size, false, errChecksum
	}
	return payload, size, false, nil
}

// scanRecords decodes the records of a segment in order, calling fn with
// the values of each good record (fn must not keep the slice). It stops at
// the first bad record and returns the length of the good prefix and, if it
// stopped early, what it found. It never panics on any input.
func scanRecords(data []byte, fn func(values []int64)) (good int, damage *segmentDamage) {
	var vals []int64
	off := 0
	for off < len(data) {
		rest := data[off:]
		stop := func(err error, torn bool) (int, *segmentDamage) {
			return off, &segmentDamage{Offset: off, Torn: torn || allZero(rest), Err: err}
		}
		payload, size, short, err := readRecord(rest)
		if err != nil {
			if short {
				return stop(err, true)
			}
			// A checksum mismatch: torn unless a valid record follows
			// where this one claims to end.
			_, _, _, nextErr := readRecord(rest[size:])
			return stop(err, size == len(rest) || nextErr != nil)
		}
		if len(payload) == 0 || payload[0] != recordKindValues {
			return stop(errors.New("unknown record kind"), false)
		}
		vals, err = decodeValueList(payload[1:], vals[:0])
		if err != nil {
			return stop(fmt.Errorf("record with a valid checksum does not decode: %w", err), false)
		}
		fn(vals)
		off += size
	}
	return off, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// encodeSnapshot appends the snapshot file encoding of the count values
// of sorted (ascending, no duplicates) to buf.
func encodeSnapshot(buf []byte, count int, sorted iter.Seq[int64]) []byte {
	start := len(buf)
	buf = append(buf, snapshotMagic...)
	buf = appendValueSeq(buf, count, sorted)
	return binary.LittleEndian.AppendUint32(buf, crc32.Checksum(buf[start:], castagnoli))
}

// decodeSnapshot decodes a whole snapshot file; the values are ascending.
func decodeSnapshot(data []byte) ([]int64, error) {
	if len(data) < len(snapshotMagic)+4 {
		return nil, fmt.Errorf("snapshot too short (%d bytes)", len(data))
	}
	if string(data[:len(snapshotMagic)]) != snapshotMagic {
		return nil, errors.New("not a snapshot (bad magic)")
	}
	body := data[:len(data)-4]
	if binary.LittleEndian.Uint32(data[len(body):]) != crc32.Checksum(body, castagnoli) {
		return nil, errors.New("snapshot checksum mismatch")
	}
	vals, err := decodeValueList(body[len(snapshotMagic):], nil)
	if err != nil {
		return nil, fmt.Errorf("snapshot with a valid checksum does not decode: %w", err)
	}
	return vals, nil
}
