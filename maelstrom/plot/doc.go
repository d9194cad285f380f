// Package plot draws a checked run as PNG images with gonum/plot:
//
//	err := plot.Write(dir, run, res) // errors are worth logging, not fatal
//
// writes latency-raw.png (every client op's latency, log scale, by f and
// outcome), latency-quantiles.png (p50/p95/p99/max per f in time buckets),
// rate.png (completions per second by f and outcome), stable-latency.png
// (each broadcast value's stable latency against the time it became known,
// lost values marked, with the p95 and max of staleness while reachable and
// after heal as horizontal marks) and messages.png (messages per second:
// server, client, dropped). Partitions are shaded #E9DCA0 as in Maelstrom's
// plots, node kills in rose, pauses in light blue; each plot's title names
// the run's parameters, and the legend sits beside the data. WriteWith sets
// the image size.
package plot
