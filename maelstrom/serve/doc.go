// Package serve is `maelstrom-local serve`: a web server over a store
// directory for browsing runs. It lists the runs newest first, shows each
// run's summary, plots, results, history, node logs, its message diagram
// (interactive: a time window, a node filter, bodies on hover and click)
// and its timeline, and refreshes a run still in progress.
//
// It binds to loopback by default and serves only files under the store:
// every file is opened through an os.Root on the store directory, so ".."
// and symlinks leading out of the store are refused, and it lists only run
// directories. Every asset is embedded; nothing loads from the internet.
//
//	s, err := serve.New(serve.Config{Store: "store"})
//	http.ListenAndServe("127.0.0.1:8080", s) // or serve.ListenAndServe(ctx, cfg)
//
// Routes: / (the index), /runs/WORKLOAD/RUN/ (a run page),
// /runs/WORKLOAD/RUN/messages.json (the diagram's data), /files/PATH (a
// file under the store), /assets/NAME (the embedded script and style).
package serve
