package merkle

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cbergoon/merkletree"
)

// DigestSize is the size in bytes of one bucket digest in Digests.
const DigestSize = 8

// MaxBuckets is the largest bucket count a Config may ask for.
const MaxBuckets = 1 << 16

var (
	// ErrConfig reports an invalid Config.
	ErrConfig = errors.New("merkle: invalid config")
	// ErrDigestLength reports peer digests of the wrong length.
	ErrDigestLength = errors.New("merkle: wrong digest length")
)

// Config configures a Tree.
type Config struct {
	// Buckets is the number of buckets (a power of two, 1..MaxBuckets).
	// Two trees can only be compared if they have the same count. Higher:
	// a finer Diff (fewer values per differing bucket to exchange), larger
	// Digests (DigestSize bytes per bucket) and a slower Root rebuild.
	Buckets int
}

// DefaultConfig returns 64 buckets: 512 bytes of digests, about 16 values
// per bucket at 1,000 values (see gossip's measurements).
func DefaultConfig() Config { return Config{Buckets: 64} }

func (c *Config) validate() error {
	if c.Buckets == 0 {
		c.Buckets = DefaultConfig().Buckets
	}
	if c.Buckets < 1 || c.Buckets > MaxBuckets || c.Buckets&(c.Buckets-1) != 0 {
		return fmt.Errorf("%w: Buckets %d is not a power of two in [1, %d]", ErrConfig, c.Buckets, MaxBuckets)
	}
	return nil
}

// Tree summarises a grow-only set of int64 values: a digest per bucket,
// updated in O(1) by Add, and a Merkle root over the bucket digests,
// rebuilt lazily by Root. It does not remember the values themselves and
// does not detect a value added twice (the caller adds each value once).
// Not safe for concurrent use.
type Tree struct {
	mask    uint64
	sums    []uint64 // per-bucket sum (mod 2^64) of the values' digest hashes
	leaves  []merkletree.Content
	tree    *merkletree.MerkleTree
	dirty   bool
	digests []byte // cached Digests() result; nil when stale
}

// New returns an empty Tree.
func New(cfg Config) (*Tree, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Tree{
		mask:   uint64(cfg.Buckets - 1),
		sums:   make([]uint64, cfg.Buckets),
		leaves: make([]merkletree.Content, cfg.Buckets),
		dirty:  true,
	}, nil
}

// Buckets returns the bucket count.
func (t *Tree) Buckets() int { return len(t.sums) }

// Bucket returns the bucket v belongs to.
func (t *Tree) Bucket(v int64) int { return int(bucketHash(v) & t.mask) }

// Add records v (which must not have been added before).
func (t *Tree) Add(v int64) {
	t.sums[bucketHash(v)&t.mask] += digestHash(v)
	t.dirty = true
	t.digests = nil
}

// Root returns the Merkle root over the bucket digests (SHA-256, 32
// bytes). Equal sets give equal roots. The slice is the tree's own: read
// only, valid until the next Add.
func (t *Tree) Root() []byte {
	if t.dirty {
		t.rebuild()
	}
	return t.tree.MerkleRoot()
}

func (t *Tree) rebuild() {
	for i, s := range t.sums {
		t.leaves[i] = bucketLeaf(s)
	}
	var err error
	if t.tree == nil {
		t.tree, err = merkletree.NewTree(t.leaves)
	} else {
		err = t.tree.RebuildTreeWith(t.leaves)
	}
	if err != nil {
		// Only an empty content list or a failing Content hash can make
		// the build fail; neither can happen here.
		panic(fmt.Sprintf("merkle: building tree over %d buckets: %v", len(t.leaves), err))
	}
	t.dirty = false
}

// Digests returns the bucket digests concatenated in bucket order,
// DigestSize bytes each (big-endian). The slice is the tree's own: read
// only, valid until the next Add.
func (t *Tree) Digests() []byte {
	if t.digests == nil {
		b := make([]byte, len(t.sums)*DigestSize)
		for i, s := range t.sums {
			binary.BigEndian.PutUint64(b[i*DigestSize:], s)
		}
		t.digests = b
	}
	return t.digests
}

// Diff returns, in increasing order, the indexes of the buckets whose
// digests differ between two Digests() encodings of the same bucket count.
// It fails with ErrDigestLength if the lengths differ or are not a
// positive multiple of DigestSize.
func Diff(mine, theirs []byte) ([]int, error) {
	if err := CheckDigests(theirs, len(mine)/DigestSize); err != nil {
		return nil, err
	}
	if len(mine)%DigestSize != 0 {
		return nil, fmt.Errorf("%w: own digests have %d bytes", ErrDigestLength, len(mine))
	}
	var out []int
	for i := 0; i < len(mine); i += DigestSize {
		if binary.BigEndian.Uint64(mine[i:]) != binary.BigEndian.Uint64(theirs[i:]) {
			out = append(out, i/DigestSize)
		}
	}
	return out, nil
}

// CheckDigests validates a peer's digests for a tree of the given bucket
// count.
func CheckDigests(d []byte, buckets int) error {
	if buckets <= 0 || len(d) != buckets*DigestSize {
		return fmt.Errorf("%w: got %d bytes, want %d buckets × %d", ErrDigestLength, len(d), buckets, DigestSize)
	}
	return nil
}

// bucketLeaf is one bucket's leaf in the Merkle tree: its digest.
type bucketLeaf uint64

// CalculateHash returns the digest's big-endian bytes: the interior
// hashing (SHA-256) does the mixing, and the leaf's position in the tree
// is committed by its place.
func (b bucketLeaf) CalculateHash() ([]byte, error) {
	var out [8]byte
	binary.BigEndian.PutUint64(out[:], uint64(b))
	return out[:], nil
}

// Equals reports whether other is a bucketLeaf with the same digest.
func (b bucketLeaf) Equals(other merkletree.Content) (bool, error) {
	o, ok := other.(bucketLeaf)
	return ok && o == b, nil
}

// mix64 is the splitmix64 finaliser: a bijection on uint64 whose output
// bits each depend on every input bit, so sequential values spread evenly.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// bucketHash chooses the bucket (its low bits); digestHash is what a value
// contributes to its bucket's digest. They are independent so that values
// sharing a bucket still contribute unrelated digest hashes.
func bucketHash(v int64) uint64 { return mix64(uint64(v) + 0x9e3779b97f4a7c15) }
func digestHash(v int64) uint64 { return mix64((uint64(v) ^ 0x5851f42d4c957f2d) + 0x14057b7ef767814f) }
