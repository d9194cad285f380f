package runner

import (
	"fmt"

	"broadcast/maelstrom/nemesis"
)

// Pause SIGSTOPs id's current process (the pause nemesis). Messages to it
// keep being handed over into its stdin pipe until the pipe is full; then
// its delivery goroutine waits, so they stay queued, in order, and are
// delivered once when the node resumes.
func (c *cluster) Pause(id string) error {
	c.mu.Lock()
	n := c.nodes[id]
	if n == nil || n.proc == nil || n.killed || n.proc.Exited() || c.stopped {
		c.mu.Unlock()
		return fmt.Errorf("%s is not running", id)
	}
	p := n.proc
	c.mu.Unlock()
	return p.Pause()
}

// Resume SIGCONTs id's current process. A node killed while paused has a new
// process by then, which was never paused: resuming it does nothing.
func (c *cluster) Resume(id string) error {
	c.mu.Lock()
	n := c.nodes[id]
	if n == nil || n.proc == nil {
		c.mu.Unlock()
		return fmt.Errorf("%s was never started", id)
	}
	p := n.proc
	c.mu.Unlock()
	return p.Resume()
}

// validTargets checks --nemesis-targets against the node list.
func validTargets(targets, nodes []string) error {
	if err := nemesis.ValidTargets(targets, nodes); err != nil {
		return fmt.Errorf("%w: --nemesis-targets: %v", ErrConfig, err)
	}
	return nil
}
