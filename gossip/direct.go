package gossip

// direct is the latency-first strategy (StrategyDirect): a value a client
// broadcast goes at once from its origin to every other node, one message
// each, marked Direct (keep, do not relay): one hop, about one latency,
// at N-1 messages per broadcast. Pushes are numbered per link so that a
// receiver notices lost ones; anti-entropy repairs what cuts and
// restarts withheld.
type direct struct {
	c    *Core
	seqs map[string]uint64 // last push number sent to each peer
}

// newDirect returns the direct strategy of core c.
func newDirect(c *Core) *direct {
	return &direct{c: c, seqs: make(map[string]uint64)}
}

// clientValue sends v to every peer at once.
func (d *direct) clientValue(v int64) {
	c := d.c
	for _, p := range c.peers {
		d.seqs[p]++
		c.send(p, Message{Kind: KindPush, Values: []int64{v}, Round: d.seqs[p], Direct: true})
	}
}

// handlePush merges the values; nothing is relayed.
func (d *direct) handlePush(from string, m Message) {
	c := d.c
	if len(m.Values) > 0 {
		c.ae.pushArrived()
	}
	c.notePushSeq(from, m.Round)
	for _, v := range m.Values {
		if !c.learn(v) {
			c.ae.confirm(v)
		}
	}
}

// syncedValue keeps a value anti-entropy brought: rounds spread it
// further.
func (d *direct) syncedValue(int64, string) {}

func (d *direct) synced(string) {}

func (d *direct) withheld([]int64) {}

func (d *direct) heard(string, Message) {}

func (d *direct) peerRestarted(string) {}

func (d *direct) setTopology(map[string][]string) {
	d.c.cfg.Logf("topology ignored (strategy direct)")
}

func (d *direct) advance() {}

func (d *direct) nextDeadline() int64 { return NoDeadline }

func (d *direct) degraded() bool { return false }

func (d *direct) helloTargets() []string { return nil }

func (d *direct) spreads(string) bool { return false }

func (d *direct) pushesSent(peer string) uint64 { return d.seqs[peer] }

// respreads: values learned by sync stay here; rounds must go on.
func (d *direct) respreads() bool { return false }

// watchesClientValues: a round spreads them where a cut dropped the direct sends.
func (d *direct) watchesClientValues() bool { return false }
