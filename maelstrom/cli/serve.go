package cli

import (
	"fmt"
	"strconv"
	"strings"
)

// ServeOptions is a parsed `serve` command line.
type ServeOptions struct {
	// Store is the store directory (default "store").
	Store string
	// Host and Port are where to listen (default 127.0.0.1:8080).
	Host string
	Port int
}

// ServeUsage is the help text of `serve`.
const ServeUsage = `Usage: maelstrom-local serve [--port 8080] [--host 127.0.0.1] [STORE_DIR]

Serves the runs in STORE_DIR (default: store) on a web page: every run,
newest first, with its summary, plots, results, history, node logs,
message diagram and timeline. It binds to loopback unless --host says
otherwise, and serves no file outside STORE_DIR.
`

// ParseServe parses the arguments after "serve".
func ParseServe(argv []string) (ServeOptions, error) {
	o := ServeOptions{Store: "store", Host: "127.0.0.1", Port: 8080}
	var pos []string
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		name, val, hasVal := strings.Cut(a, "=")
		switch name {
		case "--help", "-h":
			return o, ErrHelp
		case "--port", "-p", "--host":
			if !hasVal {
				if i+1 >= len(argv) {
					return o, fmt.Errorf("%w: %s needs a value", ErrUsage, name)
				}
				i++
				val = argv[i]
			}
			if name == "--host" {
				if val == "" {
					return o, fmt.Errorf("%w: --host must not be empty", ErrUsage)
				}
				o.Host = val
				continue
			}
			p, err := strconv.Atoi(val)
			if err != nil || p < 0 || p > 65535 {
				return o, fmt.Errorf("%w: --port %q: want a port number, 0 to 65535", ErrUsage, val)
			}
			o.Port = p
		default:
			if strings.HasPrefix(a, "-") && a != "-" {
				return o, fmt.Errorf("%w: unknown option %s for serve", ErrUsage, a)
			}
			pos = append(pos, a)
		}
	}
	if len(pos) > 1 {
		return o, fmt.Errorf("%w: serve takes one store directory, got %q", ErrUsage, pos)
	}
	if len(pos) == 1 {
		o.Store = pos[0]
	}
	return o, nil
}
