package gossip

import "fmt"

// String returns the kind's name ("push", "sync", ...), for logs.
func (k Kind) String() string {
	switch k {
	case KindPush:
		return "push"
	case KindSync:
		return "sync"
	case KindSyncReply:
		return "sync-reply"
	case KindSyncValues:
		return "sync-values"
	case KindHello:
		return "hello"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}
