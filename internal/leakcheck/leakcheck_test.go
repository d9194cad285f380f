package leakcheck

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

// Rule: a file opened after the snapshot shows up in NewFDs until it is
// closed.
func TestNewFDsSeesAnOpenFile(t *testing.T) {
	before, err := OpenFDs()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "x"))
	if err != nil {
		t.Fatal(err)
	}
	extra := NewFDs(before)
	if len(extra) != 1 || filepath.Base(extra[0]) != "x" {
		t.Fatalf("NewFDs with one file open = %q, want just it", extra)
	}
	f.Close()
	if extra := NewFDs(before); len(extra) != 0 {
		t.Fatalf("NewFDs after closing = %q, want none", extra)
	}
}
