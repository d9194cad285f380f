//go:build !linux

package node

import "io"

// osWaiting cannot ask the OS here: 0.
func osWaiting(io.Reader) int64 { return 0 }
