package node

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// cluster wires nodes together through in-memory transports: a router
// goroutine per node moves its output to the destination node, or to the
// client inbox for client ids.
type cluster struct {
	t       *testing.T
	ids     []string
	nodes   map[string]*Node
	trs     map[string]*Mem
	logs    *logSink
	replies chan string
	done    chan struct{}
	wg      sync.WaitGroup
	// mu protects peerMsgs.
	mu       sync.Mutex
	peerMsgs int
}

func newCluster(t *testing.T, ids []string, mod func(*Config)) *cluster {
	c := &cluster{
		t: t, ids: ids, nodes: map[string]*Node{}, trs: map[string]*Mem{},
		logs: &logSink{t: t}, replies: make(chan string, 1024), done: make(chan struct{}),
	}
	for _, id := range ids {
		cfg := DefaultConfig()
		cfg.Logf = c.logs.logf
		cfg.RunDir = t.TempDir()
		if mod != nil {
			mod(&cfg)
		}
		tr := NewMem()
		n, err := New(cfg, tr)
		if err != nil {
			t.Fatal(err)
		}
		c.nodes[id], c.trs[id] = n, tr
		n.Start()
	}
	for _, id := range ids {
		c.wg.Add(1)
		go c.route(id)
	}
	t.Cleanup(func() {
		for _, n := range c.nodes {
			n.Stop()
		}
		close(c.done)
		c.wg.Wait()
		checkNoLeak(t)
		if t.Failed() {
			t.Logf("cluster log:\n%s", c.logs.all())
		}
	})
	js, _ := json.Marshal(ids)
	for i, id := range ids {
		c.trs[id].Deliver([]byte(fmt.Sprintf(`{"id":%d,"src":"c%d","dest":"%s","body":{"type":"init","msg_id":1,"node_id":"%s","node_ids":%s}}`, i, i, id, id, js)))
	}
	for range ids {
		if r := c.reply(); !strings.Contains(r, "init_ok") {
			t.Fatalf("init: %s", r)
		}
	}
	return c
}

func (c *cluster) route(from string) {
	defer c.wg.Done()
	for {
		select {
		case <-c.done:
			return
		default:
		}
		line, err := c.trs[from].Next(10 * time.Millisecond)
		if err != nil {
			continue
		}
		var env struct {
			Src, Dest string
		}
		if err := json.Unmarshal(line, &env); err != nil || env.Src != from {
			c.t.Errorf("bad output from %s: %q", from, line)
			continue
		}
		if tr, ok := c.trs[env.Dest]; ok {
			c.mu.Lock()
			c.peerMsgs++
			c.mu.Unlock()
			tr.Deliver(line)
			continue
		}
		if !isClientID(env.Dest) {
			c.t.Errorf("%s wrote to unknown id %q: %s", from, env.Dest, line)
			continue
		}
		select {
		case c.replies <- string(line):
		case <-c.done:
			return
		}
	}
}

func (c *cluster) reply() string {
	c.t.Helper()
	select {
	case r := <-c.replies:
		return r
	case <-time.After(waitLong):
		c.t.Fatal("no client reply")
		return ""
	}
}

// read asks node id for its values.
func (c *cluster) read(id string, msgID int) []int64 {
	c.t.Helper()
	c.trs[id].Deliver([]byte(fmt.Sprintf(`{"src":"c100","dest":"%s","body":{"type":"read","msg_id":%d}}`, id, msgID)))
	for {
		r := c.reply()
		var env struct {
			Body struct {
				Type      string
				InReplyTo int     `json:"in_reply_to"`
				Messages  []int64 `json:"messages"`
			}
		}
		if err := json.Unmarshal([]byte(r), &env); err != nil {
			c.t.Fatal(err)
		}
		if env.Body.Type == "read_ok" && env.Body.InReplyTo == msgID {
			return env.Body.Messages
		}
	}
}

// Rule: every acknowledged broadcast appears in every node's read
// (convergence through the in-memory transport, real gossip core, real
// ticker, and the real store in the disk variant).
func TestClusterConverges(t *testing.T) {
	for _, durability := range []Durability{DurabilityNone, DurabilityDisk} {
		t.Run(durability.String(), func(t *testing.T) {
			ids := []string{"n0", "n1", "n2"}
			c := newCluster(t, ids, func(cfg *Config) { cfg.Durability = durability })
			topo := `{"n0":["n1"],"n1":["n0","n2"],"n2":["n1"]}`
			for i, id := range ids {
				c.trs[id].Deliver([]byte(fmt.Sprintf(`{"src":"c%d","dest":"%s","body":{"type":"topology","msg_id":2,"topology":%s}}`, 10+i, id, topo)))
			}
			for range ids {
				if r := c.reply(); !strings.Contains(r, "topology_ok") {
					t.Fatalf("topology: %s", r)
				}
			}
			var want []int64
			for v := range 30 {
				id := ids[v%len(ids)]
				c.trs[id].Deliver([]byte(fmt.Sprintf(`{"src":"c20","dest":"%s","body":{"type":"broadcast","msg_id":%d,"message":%d}}`, id, 100+v, v)))
				want = append(want, int64(v))
			}
			for range want {
				if r := c.reply(); !strings.Contains(r, "broadcast_ok") {
					t.Fatalf("broadcast: %s", r)
				}
			}
			deadline := time.Now().Add(waitLong)
			msgID := 1000
			for _, id := range ids {
				for {
					msgID++
					got := c.read(id, msgID)
					if slices.Equal(got, want) {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("%s read %v, want %v", id, got, want)
					}
					time.Sleep(5 * time.Millisecond)
				}
			}
			c.mu.Lock()
			t.Logf("converged; %d node-to-node messages", c.peerMsgs)
			c.mu.Unlock()
		})
	}
}
