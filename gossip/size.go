package gossip

// Message sizes are estimated as their JSON encoding would be, erring
// high, so that every message stays under Config.MaxMessageBytes whatever
// key names node/wire.go chooses.

const (
	// envelopeBytes covers the Maelstrom envelope and every key name and
	// scalar field of a gossip body (src, dest, type, msg_id, kind, round,
	// count, incarnation, brackets and quotes).
	envelopeBytes = 512
	// maxIntBytes is the longest decimal int64 ("-9223372036854775808")
	// plus its separator.
	maxIntBytes = 21
)

// intBytes is the JSON size of v plus one separator.
func intBytes(v int64) int {
	n := 1
	if v < 0 {
		n++
		if v == -1<<63 {
			return maxIntBytes
		}
		v = -v
	}
	for v >= 10 {
		v /= 10
		n++
	}
	return n + 1
}

// base64Bytes is the JSON size of n bytes encoded as standard base64 in a
// string, plus quotes and separator.
func base64Bytes(n int) int { return (n+2)/3*4 + 3 }

// summaryBytes is the estimated size of a message carrying a root, the
// digests and an incarnation.
func summaryBytes(rootLen, digestLen int, incarnation string) int {
	return envelopeBytes + base64Bytes(rootLen) + base64Bytes(digestLen) + 2*len(incarnation) + 3
}
