// Command maelstrom-local runs Maelstrom's broadcast workload locally against
// any Maelstrom node binary, the way `maelstrom test -w broadcast` does:
//
//	maelstrom-local test -w broadcast --bin ./my-node --node-count 5 \
//	    --time-limit 20 --rate 10 --nemesis partition [--seed 7] [-- node args]
//
// and serves the store's runs on a local web page:
//
//	maelstrom-local serve [--port 8080] [--host 127.0.0.1] [STORE_DIR]
//
// Results go to store/broadcast/<time>/ under the working directory. Exit
// status: 0 valid, 1 invalid, 2 unknown or bench failure, 254 bad
// arguments, 255 aborted run. See `maelstrom-local test --help`.
package main

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"broadcast/maelstrom/cli"
	"broadcast/maelstrom/runner"
	"broadcast/maelstrom/serve"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr, isTTY(os.Stderr))
	stop()
	os.Exit(code)
}

func isTTY(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func randomSeed() uint64 {
	var b [8]byte
	crand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:]) >> 1
}

// run is main without the exit, for tests.
func run(ctx context.Context, argv []string, stdout, stderr io.Writer, tty bool) int {
	if len(argv) > 1 && argv[1] == "serve" {
		return runServe(ctx, argv[2:], stdout, stderr)
	}
	opts, err := cli.Parse(argv[1:])
	if errors.Is(err, cli.ErrHelp) {
		fmt.Fprint(stdout, cli.Usage())
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%v\n\nRun `maelstrom-local test --help` for usage.\n", trimErr(err))
		return runner.ExitBadArgs
	}
	if opts.LeaveDBRunning {
		fmt.Fprintln(stderr, "WARN --leave-db-running is not supported: maelstrom-local always stops its nodes.")
	}
	seed := opts.Seed
	if !opts.SeedSet {
		seed = randomSeed()
	}
	for i := 0; i < opts.TestCount; i++ {
		s := seed + uint64(i)
		fmt.Fprintf(stderr, "Seed %d (replay this run with --seed %d)\n", s, s)
		cfg := opts.Config
		cfg.Seed = s
		cfg.Stdout, cfg.Console, cfg.ConsoleTTY = stdout, stderr, tty
		cfg.Argv = argv
		res := runner.Run(ctx, cfg)
		if res.Err != nil && res.Dir == "" {
			fmt.Fprintf(stderr, "%v\n", trimErr(res.Err))
		}
		if res.Exit != runner.ExitValid {
			return res.Exit
		}
	}
	return runner.ExitValid
}

// runServe is `maelstrom-local serve`: it serves until ctx ends.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := cli.ParseServe(args)
	if errors.Is(err, cli.ErrHelp) {
		fmt.Fprint(stdout, cli.ServeUsage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%v\n\n%s", trimErr(err), cli.ServeUsage)
		return runner.ExitBadArgs
	}
	cfg := serve.Config{Store: o.Store, Host: o.Host, Port: o.Port,
		Logf: func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }}
	err = serve.ListenAndServe(ctx, cfg, func(addr string) {
		fmt.Fprintf(stderr, "Serving %s on http://%s/ (Ctrl-C stops)\n", o.Store, addr)
	})
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		if errors.Is(err, serve.ErrConfig) {
			return runner.ExitBadArgs
		}
		return runner.ExitInternal
	}
	return 0
}

func trimErr(err error) string {
	s := err.Error()
	for _, p := range []string{cli.ErrUsage.Error() + ": ", runner.ErrConfig.Error() + ": "} {
		if len(s) > len(p) && s[:len(p)] == p {
			return s[len(p):]
		}
	}
	return s
}
