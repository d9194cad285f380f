package results

import (
	"bytes"
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

// Write writes results.json, results.edn, history.txt, history.edn and
// history.json into dir (created if missing). It writes every file it can
// and returns the errors joined.
func Write(dir string, run history.Run, res checker.Results) error {
	fw, err := newFileWriter(dir)
	if err != nil {
		return err
	}
	fw.put(ResultsJSON, func(b *bytes.Buffer) error { b.Write(JSON(ResultsJSONTree(res))); return nil })
	fw.put(ResultsEDN, func(b *bytes.Buffer) error { b.Write(EDN(Maelstrom(res))); return nil })
	fw.history(run)
	return errors.Join(fw.errs...)
}

// WriteHistory writes only history.txt, history.edn and history.json into
// dir, as an aborted Maelstrom run leaves its history but no results.
func WriteHistory(dir string, run history.Run) error {
	fw, err := newFileWriter(dir)
	if err != nil {
		return err
	}
	fw.history(run)
	return errors.Join(fw.errs...)
}

// fileWriter renders files into a directory, collecting errors.
type fileWriter struct {
	dir  string
	errs []error
}

func newFileWriter(dir string) (*fileWriter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	return &fileWriter{dir: dir}, nil
}

func (fw *fileWriter) put(name string, fill func(*bytes.Buffer) error) {
	var b bytes.Buffer
	if err := fill(&b); err != nil {
		fw.errs = append(fw.errs, fmt.Errorf("results: render %s: %w", name, err))
		return
	}
	if err := os.WriteFile(filepath.Join(fw.dir, name), b.Bytes(), 0o644); err != nil {
		fw.errs = append(fw.errs, fmt.Errorf("results: %w", err))
	}
}

func (fw *fileWriter) history(run history.Run) {
	fw.put(HistoryTxt, func(b *bytes.Buffer) error { return WriteHistoryTxt(b, run.Ops) })
	fw.put(HistoryEDN, func(b *bytes.Buffer) error { return WriteHistoryEDN(b, run.Ops) })
	fw.put(HistoryJSON, func(b *bytes.Buffer) error { return WriteHistoryJSON(b, run) })
}
