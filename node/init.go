package node

import (
	"fmt"
	"hash/fnv"
	"os"

	"broadcast/gossip"
	"broadcast/store"

	"github.com/google/uuid"
	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

// This file initialises the node at init: the gossip core, the data
// directory (rules in datadir.go), the store and its recovery.

// handleInit initialises the node: gossip core, store, recovery.
func (n *Node) handleInit(m *inMsg, req clientReq) {
	st := &n.st
	if st.id != "" {
		if m.NodeID == st.id {
			n.logf(LevelInfo, "repeated init for %q: answering init_ok again", m.NodeID)
			n.replyOK(req, typeInitOK)
			return
		}
		n.reject(req, maelstrom.PreconditionFailed, fmt.Sprintf("already initialised as %q; init as %q refused", st.id, m.NodeID))
		return
	}
	id := m.NodeID
	n.prefix.Store(&id)
	gc := n.cfg.Gossip
	gc.ID = m.NodeID
	gc.NodeIDs = append([]string(nil), m.NodeIDs...)
	if gc.Seed == 0 {
		h := fnv.New64a()
		h.Write([]byte(m.NodeID))
		gc.Seed = int64(h.Sum64() >> 1)
	}
	gc.Logf = func(format string, args ...any) { n.logf(LevelInfo, "gossip: "+format, args...) }
	core, err := gossip.New(gc)
	if err != nil {
		n.logf(LevelError, "init as %q: %v", m.NodeID, err)
		none := "-"
		n.prefix.Store(&none)
		n.replyError(req, maelstrom.Crash, fmt.Sprintf("init: %v", err))
		return
	}
	st.id = m.NodeID
	req.from = st.id
	st.peers = make(map[string]bool, len(m.NodeIDs))
	for _, p := range m.NodeIDs {
		st.peers[p] = true
	}
	st.core = core
	n.logf(LevelInfo, "initialised among %d nodes %v (durability %s)", len(m.NodeIDs), m.NodeIDs, n.cfg.Durability)
	if !st.memOnly {
		n.openStore(m)
	}
	n.replyOK(req, typeInitOK)
	n.processReady()
}

// openStore resolves the data directory, opens the log and recovers.
func (n *Node) openStore(m *inMsg) {
	st := &n.st
	dir, rule, note, err := resolveDataDir(&n.cfg, st.id)
	if err != nil {
		n.degrade(fmt.Errorf("data directory: %w", err))
		return
	}
	if note != nil {
		n.logf(LevelInfo, "data directory %s: %v", dir, note)
	}
	if rule == ruleParent {
		removed, err := removeStaleParentDirs(n.cfg.TempDir, n.cfg.ProcDir)
		for _, p := range removed {
			n.logf(LevelInfo, "removed %s: its run's process is gone", p)
		}
		if err != nil {
			n.logf(LevelWarn, "removing stale data directories under %s: %v", n.cfg.TempDir, err)
		}
		if m.HasNetID && m.NetID < int64(len(m.NodeIDs)) {
			if _, err := os.Stat(dir); err == nil {
				n.logf(LevelInfo, "init id %d < %d nodes marks a new network: discarding %s", m.NetID, len(m.NodeIDs), dir)
				if err := os.RemoveAll(dir); err != nil {
					n.degrade(fmt.Errorf("discard %s: %w", dir, err))
					return
				}
			}
		}
	}
	open := n.cfg.OpenLog
	if open == nil {
		open = n.openStoreLog
	}
	l, err := open(dir)
	if err != nil {
		n.degrade(fmt.Errorf("open store %s: %w", dir, err))
		return
	}
	st.log, st.logDir, st.logNotify = l, dir, l.Notify()
	rec := l.Recovered()
	n.addVisible(rec)
	st.core.Restore(rec)
	if l.Restarted() {
		inc, err := uuid.NewV7()
		if err != nil {
			inc = uuid.New()
		}
		st.core.Rejoin(inc.String())
		n.logf(LevelInfo, "restarted: recovered %d values from %s; incarnation %s", len(rec), dir, inc)
	} else {
		n.logf(LevelInfo, "store %s opened fresh", dir)
	}
}

// openStoreLog is the default Config.OpenLog: a store.Log from the template.
func (n *Node) openStoreLog(dir string) (Log, error) {
	sc := n.cfg.Store
	sc.Dir = dir
	sc.Logf = func(format string, args ...any) { n.logf(LevelInfo, format, args...) }
	l, err := store.Open(sc)
	if err != nil {
		return nil, err
	}
	return l, nil
}
