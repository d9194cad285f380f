// Package cli parses `maelstrom test` command lines the way Maelstrom (and
// jepsen.cli, which it builds on) does (MODEL.md, "Command line"): options
// may appear anywhere, as `--opt v`, `--opt=v`, `-w v` or `-wv`;
// everything after `--`, and every non-option word, is a positional
// argument passed to the node binary; bad arguments are errors the caller
// turns into exit status 254; --help is ErrHelp (exit 0).
//
//	opts, err := cli.Parse(os.Args[1:])
//	switch {
//	case errors.Is(err, cli.ErrHelp): fmt.Print(cli.Usage()); os.Exit(0)
//	case err != nil: fmt.Fprintln(os.Stderr, err); os.Exit(254)
//	}
//	// opts.Nodes, opts.Concurrency (resolved), opts.TimeLimit, ...
//
// Only the broadcast workload is supported (others are errors). Beyond
// Maelstrom: --nemesis also accepts kill and kill-all, and --seed fixes
// every random choice of the run.
package cli
