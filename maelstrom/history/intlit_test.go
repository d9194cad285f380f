package history

import (
	"math/big"
	"strings"
	"testing"
)

func TestIntLiteral(t *testing.T) {
	good := map[string]int64{"3": 3, " 3 ": 3, "-0": 0, "0": 0, "-12": -12, "9223372036854775807": 1<<63 - 1,
		"-9223372036854775808": -1 << 63, "\n7\t": 7}
	for s, want := range good {
		if v, ok := IntLiteral([]byte(s)); !ok || v != want {
			t.Errorf("%q: %d %v", s, v, ok)
		}
	}
	for _, s := range []string{"3.0", "3e0", `"3"`, "03", "-", "", "9223372036854775808", "-9223372036854775809",
		"99999999999999999999999", "+3", "null", "0x3", "- 3", "-03"} {
		if _, ok := IntLiteral([]byte(s)); ok {
			t.Errorf("%q accepted", s)
		}
	}
}

// FuzzIntLiteral: an accepted literal re-formats to itself (modulo
// whitespace and -0).
func FuzzIntLiteral(f *testing.F) {
	for _, s := range []string{"3", "3.0", "-0", " 7", "1e3", "00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := IntLiteral([]byte(s))
		if !ok {
			return
		}
		trimmed := strings.TrimSpace(s)
		if trimmed != "-0" && big.NewInt(v).String() != trimmed {
			t.Fatalf("%q parsed as %d", s, v)
		}
	})
}
