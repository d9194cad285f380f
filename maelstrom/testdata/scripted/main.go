// Command scripted is a no-gossip broadcast node whose misbehaviour is chosen
// by its positional arguments, for the bench's acceptance tests:
//
//	record=PATH      append every stdin line to PATH, as "<pid> <line>"
//	spoof-id         put "id":12345 in every message it prints
//	k=N              send exactly N server messages (type "noop", to the
//	                 other nodes in turn) per broadcast from a client
//	bcast-error=C    answer broadcasts with an error of code C (text "t")
//	read-error=C     answer reads with an error of code C
//	read-extra       read_ok carries an extra key
//	read-null        read_ok carries "messages": null
//	no-reply-to      broadcast_ok without in_reply_to
//	no-init          never answer init
//	no-topology      never answer topology
//	never-read       never answer read
//	never-broadcast  never answer broadcast
//	n99-after=K      after the K-th broadcast, send a message to n99
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	opt := map[string]string{}
	for _, a := range os.Args[1:] {
		k, v, _ := strings.Cut(a, "=")
		opt[k] = v
	}
	var record *os.File
	if p, ok := opt["record"]; ok {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		record = f
	}
	k, _ := strconv.Atoi(opt["k"])
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<30)
	out := bufio.NewWriter(os.Stdout)
	var id string
	var peers []string
	values := []int64{}
	broadcasts, next := 0, 0
	send := func(dest string, body map[string]any) {
		m := map[string]any{"src": id, "dest": dest, "body": body}
		if _, ok := opt["spoof-id"]; ok {
			m["id"] = 12345
		}
		b, _ := json.Marshal(m)
		out.Write(append(b, '\n'))
	}
	errorBody := func(code string, inReplyTo any) map[string]any {
		c, _ := strconv.Atoi(code)
		return map[string]any{"type": "error", "code": c, "text": "t", "in_reply_to": inReplyTo}
	}
	pid := strconv.Itoa(os.Getpid()) + " "
	for in.Scan() {
		if record != nil {
			record.Write(append(append([]byte(pid), in.Bytes()...), '\n'))
		}
		var m struct {
			Src  string         `json:"src"`
			Body map[string]any `json:"body"`
		}
		if json.Unmarshal(in.Bytes(), &m) != nil {
			continue
		}
		irt := m.Body["msg_id"]
		switch m.Body["type"] {
		case "init":
			id, _ = m.Body["node_id"].(string)
			for _, p := range m.Body["node_ids"].([]any) {
				if p.(string) != id {
					peers = append(peers, p.(string))
				}
			}
			if _, ok := opt["no-init"]; !ok {
				send(m.Src, map[string]any{"type": "init_ok", "in_reply_to": irt})
			}
		case "topology":
			if _, ok := opt["no-topology"]; !ok {
				send(m.Src, map[string]any{"type": "topology_ok", "in_reply_to": irt})
			}
		case "broadcast":
			broadcasts++
			values = append(values, int64(m.Body["message"].(float64)))
			for i := 0; i < k && len(peers) > 0 && strings.HasPrefix(m.Src, "c"); i++ {
				send(peers[next%len(peers)], map[string]any{"type": "noop"})
				next++
			}
			if a, ok := opt["n99-after"]; ok {
				if after, _ := strconv.Atoi(a); broadcasts == after {
					send("n99", map[string]any{"type": "noop"})
				}
			}
			switch {
			case opt["bcast-error"] != "":
				send(m.Src, errorBody(opt["bcast-error"], irt))
			case has(opt, "never-broadcast"):
			case has(opt, "no-reply-to"):
				send(m.Src, map[string]any{"type": "broadcast_ok"})
			default:
				send(m.Src, map[string]any{"type": "broadcast_ok", "in_reply_to": irt})
			}
		case "read":
			switch {
			case opt["read-error"] != "":
				send(m.Src, errorBody(opt["read-error"], irt))
			case has(opt, "never-read"):
			case has(opt, "read-extra"):
				send(m.Src, map[string]any{"type": "read_ok", "messages": values, "in_reply_to": irt, "extra": 1})
			case has(opt, "read-null"):
				send(m.Src, map[string]any{"type": "read_ok", "messages": nil, "in_reply_to": irt})
			default:
				send(m.Src, map[string]any{"type": "read_ok", "messages": values, "in_reply_to": irt})
			}
		}
		out.Flush()
	}
}

func has(opt map[string]string, k string) bool {
	_, ok := opt[k]
	return ok
}
