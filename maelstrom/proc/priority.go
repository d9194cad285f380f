package proc

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
)

// priority remembers a raised bench priority so that nodes start at the
// caller's original nice value.
var priority struct {
	mu       sync.Mutex // protects raised, original
	raised   bool
	original int
}

// RaisePriority lowers the nice value of every thread of this process by
// delta (at most down to -20), so that the bench's delivery threads win the
// CPU from the node processes it runs; threads created later inherit it.
// Nodes started afterwards by Start still run at the original nice value.
// It needs root or CAP_SYS_NICE; without them it changes nothing and
// returns the error. It returns the nice value now in force.
func RaisePriority(delta int) (int, error) {
	priority.mu.Lock()
	defer priority.mu.Unlock()
	if priority.raised {
		raw, _ := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
		return 20 - raw, nil
	}
	// getpriority returns 20-nice on Linux for the raw syscall; the syscall
	// package's Getpriority returns that raw value.
	raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		return 0, fmt.Errorf("proc: getpriority: %w", err)
	}
	original := 20 - raw
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return original, fmt.Errorf("proc: list threads: %w", err)
	}
	target := max(original-delta, -20)
	var done []int
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, target); err != nil {
			for _, d := range done {
				syscall.Setpriority(syscall.PRIO_PROCESS, d, original)
			}
			return original, fmt.Errorf("proc: raise bench priority to nice %d: %w", target, err)
		}
		done = append(done, tid)
	}
	priority.raised, priority.original = true, original
	return target, nil
}

// startCmd starts cmd. If the bench's priority was raised, it does so from a
// throwaway OS thread reset to the original nice value, so that the child
// inherits that value; the thread then exits with its goroutine.
func startCmd(start func() error) error {
	priority.mu.Lock()
	raised, original := priority.raised, priority.original
	priority.mu.Unlock()
	if !raised {
		return start()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Never unlocked: the thread is terminated when this goroutine
		// returns, so no thread at the original nice stays in the pool.
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), original); err != nil {
			errc <- fmt.Errorf("proc: reset nice for the node: %w", err)
			return
		}
		errc <- start()
	}()
	return <-errc
}
