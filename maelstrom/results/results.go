package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
)

// File names Write produces.
const (
	ResultsJSON = "results.json"
	ResultsEDN  = "results.edn"
	HistoryTxt  = "history.txt"
	HistoryEDN  = "history.edn"
	HistoryJSON = "history.json"
)

// ResultsJSONTree is the results.json document: Maelstrom's map with the
// bench extension under BenchKey, after :valid?.
func ResultsJSONTree(res checker.Results) Map {
	return append(Maelstrom(res), kv(BenchKey, Bench(res)))
}

// Write writes results.json and results.edn, and the history files of
// FormatFull for a run held in memory (run.Ops), into dir (created if
// missing). It writes every file it can and returns the errors joined. A
// live run streams its history with a HistoryWriter and calls WriteResults.
func Write(dir string, run history.Run, res checker.Results) error {
	err := WriteResults(dir, res)
	h, herr := NewHistoryWriter(dir, HistoryConfig{Nodes: run.Nodes, Concurrency: run.Concurrency})
	if herr != nil {
		return errors.Join(err, herr)
	}
	for _, op := range run.Ops {
		h.Observe(op)
	}
	return errors.Join(err, h.Close(run))
}

// WriteResults writes results.json and results.edn into dir (created if
// missing).
func WriteResults(dir string, res checker.Results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	var errs []error
	for name, body := range map[string][]byte{
		ResultsJSON: JSON(ResultsJSONTree(res)),
		ResultsEDN:  EDN(Maelstrom(res)),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			errs = append(errs, fmt.Errorf("results: %w", err))
		}
	}
	return errors.Join(errs...)
}
