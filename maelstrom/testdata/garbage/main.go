// Command garbage is a no-gossip node that prints a line which is not JSON
// on stdout right after acknowledging its third broadcast (acceptance case
// 18): from then on Maelstrom never reads its stdout again.
package main

import (
	"bufio"
	"encoding/json"
	"os"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<30)
	out := bufio.NewWriter(os.Stdout)
	var values []int64
	var id string
	broadcasts := 0
	for in.Scan() {
		var m struct {
			Src  string         `json:"src"`
			Body map[string]any `json:"body"`
		}
		if json.Unmarshal(in.Bytes(), &m) != nil {
			continue
		}
		reply := map[string]any{"in_reply_to": m.Body["msg_id"]}
		switch m.Body["type"] {
		case "init":
			id, _ = m.Body["node_id"].(string)
			reply["type"] = "init_ok"
		case "topology":
			reply["type"] = "topology_ok"
		case "broadcast":
			values = append(values, int64(m.Body["message"].(float64)))
			reply["type"] = "broadcast_ok"
			broadcasts++
		case "read":
			reply["type"] = "read_ok"
			reply["messages"] = append([]int64{}, values...)
		default:
			continue
		}
		b, _ := json.Marshal(map[string]any{"src": id, "dest": m.Src, "body": reply})
		out.Write(append(b, '\n'))
		if broadcasts == 3 && m.Body["type"] == "broadcast" {
			out.WriteString("this line is not JSON\n")
		}
		out.Flush()
	}
}
