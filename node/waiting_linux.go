package node

import (
	"io"
	"syscall"
	"unsafe"
)

// osWaiting returns the bytes waiting in the OS for r, if r is a pipe,
// socket or terminal that answers FIONREAD; 0 otherwise.
func osWaiting(r io.Reader) int64 {
	sc, ok := r.(syscall.Conn)
	if !ok {
		return 0
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0
	}
	var n int32
	var errno syscall.Errno
	if err := raw.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
	}); err != nil || errno != 0 || n < 0 {
		return 0
	}
	return int64(n)
}
