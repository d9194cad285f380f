package store

import (
	"io"
	"os"
	"path/filepath"
	"slices"
)

// FS is the narrow file-system seam the Log uses. OSFS is the real one;
// MemFS is the in-memory twin that injects faults and simulates crashes.
// Paths are plain OS paths; errors should be *os.PathError values wrapping
// syscall errnos, so errors.Is(err, fs.ErrNotExist) works.
type FS interface {
	// OpenFile opens name with os.OpenFile flags (O_RDONLY, O_WRONLY,
	// O_RDWR, O_CREATE, O_EXCL, O_TRUNC, O_APPEND). Opening a directory
	// read-only yields a File whose Sync makes its entries durable.
	OpenFile(name string, flag int, perm os.FileMode) (File, error)
	// Rename atomically replaces newpath with oldpath.
	Rename(oldpath, newpath string) error
	// Remove deletes the file name.
	Remove(name string) error
	// ReadDir returns the names of the entries in directory name, sorted.
	ReadDir(name string) ([]string, error)
	// MkdirAll creates directory path and any missing parents.
	MkdirAll(path string, perm os.FileMode) error
}

// File is an open file of an FS.
type File interface {
	io.Reader
	io.Writer
	// Sync flushes the file's data (or, for a directory, its entries) to
	// stable storage.
	Sync() error
	// Truncate changes the file's size.
	Truncate(size int64) error
	// Close releases the file.
	Close() error
}

// OSFS is the real operating-system file system.
type OSFS struct{}

var _ FS = OSFS{}

// OpenFile opens a file with os.OpenFile.
func (OSFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Rename renames with os.Rename.
func (OSFS) Rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

// Remove removes with os.Remove.
func (OSFS) Remove(name string) error { return os.Remove(name) }

// MkdirAll creates directories with os.MkdirAll.
func (OSFS) MkdirAll(path string, perm os.FileMode) error { return os.MkdirAll(path, perm) }

// ReadDir lists a directory with os.ReadDir.
func (OSFS) ReadDir(name string) ([]string, error) {
	entries, err := os.ReadDir(name)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	slices.Sort(names)
	return names, nil
}

// syncDir makes the entries of directory dir durable (fsync on the
// directory itself), which a create or rename needs before it can be
// relied on after a power loss.
func syncDir(fsys FS, dir string) error {
	d, err := fsys.OpenFile(dir, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}

// parentDir returns the directory holding path.
func parentDir(path string) string { return filepath.Dir(filepath.Clean(path)) }
