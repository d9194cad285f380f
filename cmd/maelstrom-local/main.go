// Command maelstrom-local runs Maelstrom's broadcast workload locally against
// any Maelstrom node binary, the way `maelstrom test -w broadcast` does:
//
//	maelstrom-local test -w broadcast --bin ./my-node --node-count 5 \
//	    --time-limit 20 --rate 10 --nemesis partition [--seed 7] [-- node args]
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

// config maps parsed options to a runner configuration.
func config(o cli.Options, seed uint64) runner.Config {
	c := runner.DefaultConfig()
	c.Workload = o.Workload
	c.Bin = o.Bin
	c.Args = o.Args
	c.Nodes = o.Nodes
	c.Concurrency = o.Concurrency
	c.TimeLimit = o.TimeLimit
	c.Rate = o.Rate
	c.Latency = o.Latency
	c.LatencyDist = o.LatencyDist
	c.Topology = o.Topology
	c.Nemesis = o.Nemesis
	c.NemesisInterval = o.NemesisInterval
	c.SampleProcs = o.SampleProcs
	c.LogStderr, c.LogNetSend, c.LogNetRecv = o.LogStderr, o.LogNetSend, o.LogNetRecv
	c.Availability = o.Availability
	c.Seed = seed
	return c
}

func randomSeed() uint64 {
	var b [8]byte
	crand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:]) >> 1
}

// run is main without the exit, for tests.
func run(ctx context.Context, argv []string, stdout, stderr io.Writer, tty bool) int {
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
		cfg := config(opts, s)
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

func trimErr(err error) string {
	s := err.Error()
	for _, p := range []string{cli.ErrUsage.Error() + ": ", runner.ErrConfig.Error() + ": "} {
		if len(s) > len(p) && s[:len(p)] == p {
			return s[len(p):]
		}
	}
	return s
}
