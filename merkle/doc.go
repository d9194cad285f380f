// Package merkle summarises a grow-only set of int64 values so that two
// replicas can find where their sets differ without exchanging them.
//
// Values fall into a fixed number of buckets (Config.Buckets, a power of
// two, the same on every replica) by a mixed hash, so sequential values
// spread evenly. Each bucket keeps a 64-bit digest, the sum of a hash of
// each of its values, updated in O(1) by Add. A Merkle root over the
// bucket digests (github.com/cbergoon/merkletree, rebuilt only when
// something changed) tells in one comparison whether two sets agree.
//
// Driving it, as package gossip does:
//
//	t, _ := merkle.New(merkle.DefaultConfig())
//	for _, v := range values {
//		t.Add(v) // each value once
//	}
//	// send t.Root() and t.Digests() to a peer; the peer, if its root
//	// differs, computes
//	buckets, err := merkle.Diff(myTree.Digests(), peerDigests)
//	// and exchanges the values it holds in those buckets (t.Bucket(v)).
//
// Peer digests are input from the network: Diff and CheckDigests reject a
// wrong length with ErrDigestLength and never panic.
package merkle
