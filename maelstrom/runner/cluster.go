package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"broadcast/maelstrom/nemesis"
	"broadcast/maelstrom/netsim"
	"broadcast/maelstrom/proc"
	"broadcast/maelstrom/results"
	"broadcast/maelstrom/topology"
	"broadcast/maelstrom/workload"
)

// errAbort marks errors that abort the run (exit 255, no analysis).
var errAbort = errors.New("run aborted")

// abortf returns an abort error with Maelstrom's message.
func abortf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errAbort, fmt.Sprintf(format, args...))
}

// node is one server's process state.
type node struct {
	id       string
	proc     *proc.Process // current instance, nil before start
	killed   bool          // current instance killed by the nemesis
	restarts int
}

// cluster owns the node processes and their setup RPCs, and is the
// nemesis's Controller.
type cluster struct {
	cfg    *Config
	net    *netsim.Net
	log    *logger
	runDir string
	env    []string
	topo   topology.Map

	mu      sync.Mutex // protects nodes' fields and keep
	nodes   map[string]*node
	keep    []*netsim.Client // setup clients, registered until the end
	bin     string
	stopped bool
}

var _ nemesis.Controller = (*cluster)(nil)

func newCluster(cfg *Config, net *netsim.Net, log *logger, runDir, bin string, topo topology.Map) *cluster {
	c := &cluster{cfg: cfg, net: net, log: log, runDir: runDir, topo: topo, nodes: map[string]*node{}, bin: bin}
	c.env = append(os.Environ(), "MAELSTROM_RUN_DIR="+runDir)
	for _, id := range cfg.Nodes {
		c.nodes[id] = &node{id: id}
	}
	return c
}

// launch starts id's process and attaches its stdin to the network.
func (c *cluster) launch(id string) (*proc.Process, error) {
	c.log.Logf("INFO [jepsen node %s] maelstrom.process: launching %s %s", id, c.bin, ednStrings(c.cfg.Args))
	pc := proc.Config{
		NodeID:  id,
		Bin:     c.bin,
		Args:    c.cfg.Args,
		Dir:     os.TempDir(),
		Env:     c.env,
		LogFile: filepath.Join(c.runDir, "node-logs", id+".log"),
		OnLine:  c.net.Sender(id).SendLine,
		Logf:    c.log.Logf,
	}
	if c.cfg.LogStderr {
		pc.OnStderr = func(line []byte) {
			c.log.Logf("INFO [%s stderr] maelstrom.process: %s", id, line)
		}
	}
	p, err := proc.Start(pc)
	if err != nil {
		return nil, err
	}
	c.net.Attach(id, p.Stdin())
	return p, nil
}

// ednStrings renders strings as an EDN list.
func ednStrings(ss []string) string {
	l := make(results.List, len(ss))
	for i, s := range ss {
		l[i] = s
	}
	return results.FlatEDN(l)
}

type initBody struct {
	Type    string   `json:"type"`
	NodeID  string   `json:"node_id"`
	NodeIDs []string `json:"node_ids"`
}

type topologyBody struct {
	Type     string       `json:"type"`
	Topology topology.Map `json:"topology"`
}

// rpcError renders an error reply as Maelstrom's rpc-error exception.
func rpcError(body []byte) (string, bool) {
	e, ok := workload.ParseError(body)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("throw+: {:type :rpc-error, :code %d, :name :%s, :body %s}", e.Code, e.Name, body), true
}

// initNode sends init from client cl and checks the reply (MODEL.md, "Setup").
func (c *cluster) initNode(id string, cl *netsim.Client) error {
	reply, _, err := cl.Call(id, initBody{Type: "init", NodeID: id, NodeIDs: c.cfg.Nodes}, c.cfg.InitTimeout)
	if errors.Is(err, netsim.ErrTimeout) {
		return abortf("Expected node %s to respond to an init message, but node did not respond.", id)
	}
	if err != nil {
		return abortf("init %s: %v", id, err)
	}
	if msg, isErr := rpcError(reply.Body); isErr {
		return abortf("%s", msg)
	}
	var typ string
	netsim.Members(reply.Body, func(k string, v json.RawMessage) {
		if k == "type" {
			json.Unmarshal(v, &typ)
		}
	})
	if typ != "init_ok" {
		return abortf("Expected an init_ok message, but node responded with %s", reply.Body)
	}
	return nil
}

// topologyNode sends the whole topology map to id from client cl and checks
// the reply against topology_ok's closed schema (MODEL.md, "Topology",
// "Reply schemas").
func (c *cluster) topologyNode(id string, cl *netsim.Client) error {
	reply, _, err := cl.Call(id, topologyBody{Type: "topology", Topology: c.topo}, c.cfg.TopologyTimeout)
	if errors.Is(err, netsim.ErrTimeout) {
		return abortf("topology RPC to %s failed: Client read timeout (no topology_ok within %v)", id, c.cfg.TopologyTimeout)
	}
	if err != nil {
		return abortf("topology %s: %v", id, err)
	}
	if msg, isErr := rpcError(reply.Body); isErr {
		return abortf("%s", msg)
	}
	if problems := workload.ReplyProblems("topology_ok", reply.Body); len(problems) > 0 {
		return abortf("%s", workload.MalformedText(id, `{:type "topology", :topology ...}`, workload.ReplySchema("topology_ok"), reply.Body, problems))
	}
	return nil
}

// setup is MODEL.md, "Setup": for every node in parallel register it, start it and send
// init (from c0..c(N-1)); then one topology per node from cN..c(2N-1).
func (c *cluster) setup() error {
	ids := c.cfg.Nodes
	initClients := make([]*netsim.Client, len(ids))
	for i := range ids {
		initClients[i] = c.net.OpenClient()
	}
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer initClients[i].Close()
			c.log.Logf("INFO [jepsen node %s] maelstrom.db: Setting up %s", id, id)
			if err := c.net.AddServer(id); err != nil {
				errs[i] = err
				return
			}
			p, err := c.launch(id)
			if err != nil {
				errs[i] = abortf("%v", err)
				return
			}
			c.mu.Lock()
			c.nodes[id].proc = p
			c.mu.Unlock()
			errs[i] = c.initNode(id, initClients[i])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	topoClients := make([]*netsim.Client, len(ids))
	for i := range ids {
		topoClients[i] = c.net.OpenClient()
	}
	c.mu.Lock()
	c.keep = append(c.keep, topoClients...)
	c.mu.Unlock()
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.topologyNode(id, topoClients[i])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Partition installs a drop table.
func (c *cluster) Partition(g map[string][]string) { c.net.Partition(g) }

// Heal empties the drop table.
func (c *cluster) Heal() { c.net.Heal() }

// Kill SIGKILLs id as a nemesis kill: messages taken off its queue from now
// on are dropped.
func (c *cluster) Kill(id string) error {
	c.mu.Lock()
	n := c.nodes[id]
	if n == nil || n.proc == nil || n.killed || n.proc.Exited() || c.stopped {
		c.mu.Unlock()
		return fmt.Errorf("%s is not running", id)
	}
	n.killed = true
	p := n.proc
	c.mu.Unlock()
	c.net.SetState(id, netsim.Down)
	p.Kill()
	if !p.Wait(5 * time.Second) {
		return fmt.Errorf("%s did not exit within 5 s of SIGKILL", id)
	}
	return nil
}

// Restart launches id again (same command, directory and environment) and
// re-sends init and topology from fresh clients. Until init is answered only
// client messages reach it.
func (c *cluster) Restart(id string) error {
	c.mu.Lock()
	n := c.nodes[id]
	if n == nil || !n.killed || c.stopped {
		c.mu.Unlock()
		return fmt.Errorf("%s was not killed by the nemesis", id)
	}
	c.mu.Unlock()
	p, err := c.launch(id)
	if err != nil {
		return err
	}
	c.mu.Lock()
	n.proc, n.killed = p, false
	n.restarts++
	c.mu.Unlock()
	c.net.SetState(id, netsim.InitOnly)
	ic := c.net.OpenClient()
	err = c.initNode(id, ic)
	ic.Close()
	c.net.SetState(id, netsim.Up)
	if err != nil {
		return fmt.Errorf("re-init %s: %v", id, strings.TrimPrefix(err.Error(), errAbort.Error()+": "))
	}
	tc := c.net.OpenClient()
	c.mu.Lock()
	c.keep = append(c.keep, tc)
	c.mu.Unlock()
	if err := c.topologyNode(id, tc); err != nil {
		return fmt.Errorf("re-topology %s: %v", id, strings.TrimPrefix(err.Error(), errAbort.Error()+": "))
	}
	return nil
}

// Live returns the running nodes, in test order.
func (c *cluster) Live() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, id := range c.cfg.Nodes {
		if n := c.nodes[id]; n.proc != nil && !n.killed && !n.proc.Exited() {
			out = append(out, id)
		}
	}
	return out
}

// Killed returns the nodes killed by the nemesis and not restarted.
func (c *cluster) Killed() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, id := range c.cfg.Nodes {
		if c.nodes[id].killed {
			out = append(out, id)
		}
	}
	return out
}

// teardown is MODEL.md, "Teardown": a node that exited on its own is a crash (the
// first, in test order, is returned as the abort error); every live node
// gets SIGKILL and up to 5 s to exit.
func (c *cluster) teardown() error {
	c.mu.Lock()
	c.stopped = true
	var procs []*proc.Process
	var crash error
	for _, id := range c.cfg.Nodes {
		n := c.nodes[id]
		if n.proc == nil {
			continue
		}
		procs = append(procs, n.proc)
		if crash == nil && !n.killed && n.proc.Exited() && !n.proc.Killed() {
			p := n.proc
			p.WaitIO(2 * time.Second)
			crash = abortf("Node %s crashed with exit status %d. Before crashing, it wrote to STDOUT:\n\n%s\n\nAnd to STDERR:\n\n%s\n\nFull STDERR logs are available in %s",
				id, p.ExitStatus(), strings.Join(p.LastStdout(), "\n"), strings.Join(p.LastStderr(), "\n"), p.LogFile())
		}
	}
	keep := c.keep
	c.keep = nil
	c.mu.Unlock()
	for _, cl := range keep {
		cl.Close()
	}
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !p.Exited() {
				p.Kill()
			}
			p.Wait(5 * time.Second)
			p.WaitIO(2 * time.Second)
		}()
	}
	for _, id := range c.cfg.Nodes {
		if c.nodes[id].proc != nil {
			c.log.Logf("INFO [jepsen node %s] maelstrom.db: Tearing down %s", id, id)
		}
	}
	wg.Wait()
	return crash
}
