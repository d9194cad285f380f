package store_test

import (
	"fmt"
	"os"

	"broadcast/store"
)

// Example drives a Log the way a node's owner goroutine does: Append on
// each new value, and on every Notify release the acks that DurableSeq
// covers.
func Example() {
	dir, err := os.MkdirTemp("", "store-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	cfg := store.DefaultConfig()
	cfg.Dir = dir
	lg, err := store.Open(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	set := store.NewSet()
	set.AddAll(lg.Recovered())

	type pending struct {
		seq   uint64
		value int64
	}
	var waiting []pending
	for _, v := range []int64{10, 20, 10, 30} {
		if set.Add(v) { // new: log it, ack once durable
			waiting = append(waiting, pending{lg.Append([]int64{v}), v})
		}
	}
	for len(waiting) > 0 {
		<-lg.Notify()
		if err := lg.Err(); err != nil {
			fmt.Println("store failed:", err)
			return
		}
		durable := lg.DurableSeq()
		for len(waiting) > 0 && waiting[0].seq <= durable {
			fmt.Println("ack", waiting[0].value)
			waiting = waiting[1:]
		}
	}
	if err := lg.Close(); err != nil {
		fmt.Println(err)
	}

	// After a restart the values come back.
	lg, err = store.Open(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer lg.Close()
	fmt.Println("restarted:", lg.Restarted(), "recovered:", lg.Recovered())
	// Output:
	// ack 10
	// ack 20
	// ack 30
	// restarted: true recovered: [10 20 30]
}
