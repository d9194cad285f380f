package proc

import (
	"errors"
	"syscall"
)

// ErrExited is returned by Pause and Resume once the process has exited.
var ErrExited = errors.New("proc: process has exited")

// Pause sends SIGSTOP: the process stays alive with its pipes open but runs
// no code, so its stdin fills up and it writes nothing. Only the process
// itself is stopped, not any children it started.
func (p *Process) Pause() error { return p.signal(syscall.SIGSTOP) }

// Resume sends SIGCONT to a paused process. Resuming a process that is not
// paused does nothing.
func (p *Process) Resume() error { return p.signal(syscall.SIGCONT) }

func (p *Process) signal(sig syscall.Signal) error {
	if p.Exited() {
		return ErrExited
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		if p.Exited() {
			return ErrExited
		}
		return err
	}
	return nil
}
