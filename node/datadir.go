package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The data directory rule (see doc.go for the reasons):
//
//  1. Config.DataDir (flag -data-dir, env BROADCAST_DATA_DIR): DataDir/<id>,
//     kept as is; a restart with the same DataDir recovers.
//  2. Else Config.RunDir (env MAELSTROM_RUN_DIR, unique per bench run):
//     RunDir/data/<id>.
//  3. Else TempDir/broadcast-<parent pid>-<parent start time>/<id>, the
//     run being identified by the parent process (real Maelstrom). State
//     found there is discarded when init marks a brand-new network, and
//     directories of dead parents are removed.

// dataDirRule says which rule chose a data directory.
type dataDirRule uint8

const (
	ruleDataDir dataDirRule = iota + 1
	ruleRunDir
	ruleParent
)

// errBadNodeID reports a node id that cannot name a directory.
var errBadNodeID = errors.New("node: node id cannot name a directory")

// resolveDataDir returns the data directory of node id under cfg. Under
// rule 3 without a readable process table (not Linux) the run is named by
// the parent pid alone (start time 0), and note says so.
func resolveDataDir(cfg *Config, id string) (dir string, rule dataDirRule, note error, err error) {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, `/\`) || strings.ContainsRune(id, 0) {
		return "", 0, nil, fmt.Errorf("%w: %q", errBadNodeID, id)
	}
	switch {
	case cfg.DataDir != "":
		return filepath.Join(cfg.DataDir, id), ruleDataDir, nil, nil
	case cfg.RunDir != "":
		return filepath.Join(cfg.RunDir, "data", id), ruleRunDir, nil, nil
	}
	start, err := processStartTime(cfg.ProcDir, cfg.ParentPID)
	if err != nil {
		note = fmt.Errorf("start time of parent process %d unknown (%w): run named by its pid alone", cfg.ParentPID, err)
		start = 0
	}
	return filepath.Join(cfg.TempDir, parentDirName(cfg.ParentPID, start), id), ruleParent, note, nil
}

const parentDirPrefix = "broadcast-"

func parentDirName(pid int, start uint64) string {
	return fmt.Sprintf("%s%d-%d", parentDirPrefix, pid, start)
}

// parseParentDirName inverts parentDirName.
func parseParentDirName(name string) (pid int, start uint64, ok bool) {
	rest, found := strings.CutPrefix(name, parentDirPrefix)
	if !found {
		return 0, 0, false
	}
	p, s, found := strings.Cut(rest, "-")
	if !found {
		return 0, 0, false
	}
	pid, err1 := strconv.Atoi(p)
	start, err2 := strconv.ParseUint(s, 10, 64)
	if err1 != nil || err2 != nil || pid <= 0 || strconv.Itoa(pid) != p || strconv.FormatUint(start, 10) != s {
		return 0, 0, false
	}
	return pid, start, true
}

// processStartTime returns field 22 of /proc/<pid>/stat: the process start
// time in clock ticks after boot. With the pid it names one process for the
// life of the machine.
func processStartTime(procDir string, pid int) (uint64, error) {
	b, err := os.ReadFile(filepath.Join(procDir, strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	// Field 2 (comm) is in parentheses and may hold spaces and ')': the
	// fields after it start after the last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("parse %s/%d/stat: no ')'", procDir, pid)
	}
	fields := strings.Fields(string(b[i+1:]))
	// fields[0] is field 3 (state), so field 22 is fields[19].
	if len(fields) < 20 {
		return 0, fmt.Errorf("parse %s/%d/stat: %d fields after comm", procDir, pid, len(fields))
	}
	start, err := strconv.ParseUint(fields[19], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse %s/%d/stat start time: %w", procDir, pid, err)
	}
	return start, nil
}

// removeStaleParentDirs removes rule-3 directories under tempDir whose
// parent process is gone (no such pid, or a pid reused by a process with
// another start time). It returns the removed paths.
func removeStaleParentDirs(tempDir, procDir string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(procDir, "self")); err != nil {
		return nil, nil // no process table: liveness unknown, remove nothing
	}
	entries, err := os.ReadDir(tempDir)
	if err != nil {
		return nil, err
	}
	var removed []string
	var firstErr error
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		pid, start, ok := parseParentDirName(e.Name())
		if !ok {
			continue
		}
		if now, err := processStartTime(procDir, pid); err == nil && now == start {
			continue // that run is still alive
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			continue // cannot tell: keep it
		}
		path := filepath.Join(tempDir, e.Name())
		if err := os.RemoveAll(path); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		removed = append(removed, path)
	}
	return removed, firstErr
}
