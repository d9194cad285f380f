package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// makeRunDir creates <store>/broadcast/<YYYYMMDDTHHMMSS.mmm±ZZZZ>/ (jepsen's
// basic-date-time, local time) and points store/latest, store/current and
// store/broadcast/latest at it. It returns the directory's absolute path.
func makeRunDir(store, workload string, now time.Time) (string, error) {
	parent := filepath.Join(store, workload)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	var name, dir string
	for i := 0; ; i++ {
		name = now.Add(time.Duration(i) * time.Millisecond).Format("20060102T150405.000-0700")
		dir = filepath.Join(parent, name)
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			break
		}
		if !os.IsExist(err) || i > 1000 {
			return "", err
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "node-logs"), 0o755); err != nil {
		return "", err
	}
	links := []struct{ at, target string }{
		{filepath.Join(store, "latest"), filepath.Join(workload, name)},
		{filepath.Join(store, "current"), filepath.Join(workload, name)},
		{filepath.Join(parent, "latest"), name},
	}
	for _, l := range links {
		if err := relink(l.at, l.target); err != nil {
			return "", err
		}
	}
	return filepath.Abs(dir)
}

// relink atomically replaces the symlink at with one to target.
func relink(at, target string) error {
	tmp := fmt.Sprintf("%s.tmp%d", at, os.Getpid())
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, at)
}
