// Package timeline writes timeline.html: every process's operations as
// boxes from invocation to completion, one column per process (nemesis
// operations in a column of their own, first), ok, fail and info in
// distinct colours, the value and error on hover.
//
// It is a streaming consumer of the history: hand it every op in index
// order as it is recorded, then Close. Memory is bounded by the operations
// in flight (one per process); boxes go to the file as their operation
// completes.
//
//	tl, err := timeline.Create(filepath.Join(dir, timeline.FileName), timeline.Config{})
//	for _, op := range ops { tl.Observe(op) }
//	err = tl.Close()
package timeline
