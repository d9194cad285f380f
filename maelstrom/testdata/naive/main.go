// Command naive floods: the first time it sees a value (from a client or a
// peer) it sends it to every other node, so each value costs N*(N-1) server
// messages. It is the load for the bench's lateness benchmark, so it is
// written for speed (no library, batched writes).
package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"strconv"
)

type body struct {
	Type    string   `json:"type"`
	MsgID   int64    `json:"msg_id"`
	Message int64    `json:"message"`
	NodeID  string   `json:"node_id"`
	NodeIDs []string `json:"node_ids"`
}

type msg struct {
	Src  string `json:"src"`
	Body body   `json:"body"`
}

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	var self string
	var peers []string
	seen := map[int64]bool{}
	var order []int64
	reply := func(dest string, inReplyTo int64, rest string) {
		out.WriteString(`{"src":"` + self + `","dest":"` + dest + `","body":{"in_reply_to":`)
		out.WriteString(strconv.FormatInt(inReplyTo, 10))
		out.WriteString(rest)
		out.WriteString("}}\n")
	}
	learn := func(v int64) {
		if seen[v] {
			return
		}
		seen[v] = true
		order = append(order, v)
		for _, p := range peers {
			out.WriteString(`{"src":"` + self + `","dest":"` + p + `","body":{"type":"gossip","message":`)
			out.WriteString(strconv.FormatInt(v, 10))
			out.WriteString("}}\n")
		}
	}
	for {
		line, err := in.ReadSlice('\n')
		if err == io.EOF {
			return
		}
		var m msg
		if json.Unmarshal(line, &m) == nil {
			switch m.Body.Type {
			case "init":
				self = m.Body.NodeID
				for _, p := range m.Body.NodeIDs {
					if p != self {
						peers = append(peers, p)
					}
				}
				reply(m.Src, m.Body.MsgID, `,"type":"init_ok"`)
			case "topology":
				reply(m.Src, m.Body.MsgID, `,"type":"topology_ok"`)
			case "broadcast":
				learn(m.Body.Message)
				reply(m.Src, m.Body.MsgID, `,"type":"broadcast_ok"`)
			case "gossip":
				learn(m.Body.Message)
			case "read":
				b, _ := json.Marshal(order)
				if order == nil {
					b = []byte("[]")
				}
				reply(m.Src, m.Body.MsgID, `,"type":"read_ok","messages":`+string(b))
			}
		}
		if in.Buffered() == 0 {
			out.Flush()
		}
	}
}
