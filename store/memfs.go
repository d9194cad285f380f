package store

import (
	"bytes"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
)

// MemFS is an in-memory FS, the test twin of OSFS. It models what survives
// a power loss: file data only up to its last Sync, and directory entries
// (creates, renames, removes) only up to the last Sync of their directory.
// Crash returns the file system as it would be after a power loss. SetFault
// injects errors into any operation. Directories themselves are modelled as
// always durable. Safe for concurrent use.
type MemFS struct {
	mu      sync.Mutex          // protects everything below
	dirs    map[string]bool     // directories (always durable)
	live    map[string]*memNode // file names as the running program sees them
	durable map[string]*memNode // file names as they would survive a crash
	fault   func(op, path string) error
}

// memNode is one file's contents.
type memNode struct {
	data   []byte // what reads see
	synced []byte // what survives a crash: data as of the last Sync
}

// MemFS operation names passed to the SetFault hook.
const (
	OpOpen     = "open"
	OpRead     = "read"
	OpWrite    = "write"
	OpSync     = "sync"
	OpTruncate = "truncate"
	OpClose    = "close"
	OpRename   = "rename"
	OpRemove   = "remove"
	OpReadDir  = "readdir"
	OpMkdir    = "mkdir"
)

var _ FS = (*MemFS)(nil)

// NewMemFS returns an empty MemFS holding only the root directory "/".
func NewMemFS() *MemFS {
	return &MemFS{
		dirs:    map[string]bool{"/": true},
		live:    map[string]*memNode{},
		durable: map[string]*memNode{},
	}
}

// SetFault installs hook, called before every operation with its name (an
// Op constant) and path; a non-nil result makes the operation fail with
// that error, without effect. The hook must not call back into the MemFS.
// Nil removes it.
func (m *MemFS) SetFault(hook func(op, path string) error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fault = hook
}

// faultLocked runs the fault hook for op on path.
func (m *MemFS) faultLocked(op, path string) error {
	if m.fault == nil {
		return nil
	}
	if err := m.fault(op, path); err != nil {
		return &os.PathError{Op: op, Path: path, Err: err}
	}
	return nil
}

// Crash returns what a power loss would leave: every file's data as of its
// last Sync, under the names its directory had at its last Sync. With r
// non-nil the loss is harsher and less tidy, as POSIX allows: each name
// change made since its directory's last Sync (create, rename, remove)
// survives or not on its own, independently of the others, and each file
// also keeps a random prefix of the bytes written after its last Sync,
// sometimes garbled at the end (a torn write).
func (m *MemFS) Crash(r *rand.Rand) *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := NewMemFS()
	for d := range m.dirs {
		out.dirs[d] = true
	}
	names := map[string]*memNode{}
	for name, n := range m.durable {
		names[name] = n
	}
	if r != nil {
		all := make([]string, 0, len(m.live)+len(m.durable))
		for name := range m.live {
			all = append(all, name)
		}
		for name := range m.durable {
			all = append(all, name)
		}
		slices.Sort(all) // map order is random: keep the outcome a function of r
		all = slices.Compact(all)
		for _, name := range all {
			if m.live[name] != m.durable[name] && r.Intn(2) == 0 {
				if n := m.live[name]; n != nil {
					names[name] = n
				} else {
					delete(names, name)
				}
			}
		}
	}
	sorted := make([]string, 0, len(names))
	for name := range names {
		sorted = append(sorted, name)
	}
	slices.Sort(sorted)
	for _, name := range sorted {
		n := names[name]
		data := bytes.Clone(n.synced)
		if r != nil && len(n.data) > len(n.synced) && bytes.HasPrefix(n.data, n.synced) {
			extra := n.data[len(n.synced):]
			k := r.Intn(len(extra) + 1)
			data = append(data, extra[:k]...)
			if k > 0 && r.Intn(2) == 0 {
				g := min(k, 1+r.Intn(16))
				tail := data[len(data)-g:]
				if r.Intn(2) == 0 {
					clear(tail)
				} else {
					r.Read(tail)
				}
			}
		}
		node := &memNode{data: data, synced: bytes.Clone(data)}
		out.live[name] = node
		out.durable[name] = node
	}
	return out
}

// Clone returns a deep copy (live and durable state alike), without the
// fault hook: the file system as a restarted process would find it after
// the previous one was killed.
func (m *MemFS) Clone() *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := NewMemFS()
	for d := range m.dirs {
		out.dirs[d] = true
	}
	copies := map[*memNode]*memNode{}
	cp := func(n *memNode) *memNode {
		if c, ok := copies[n]; ok {
			return c
		}
		c := &memNode{data: bytes.Clone(n.data), synced: bytes.Clone(n.synced)}
		copies[n] = c
		return c
	}
	for name, n := range m.live {
		out.live[name] = cp(n)
	}
	for name, n := range m.durable {
		out.durable[name] = cp(n)
	}
	return out
}

func pathErr(op, path string, errno syscall.Errno) error {
	return &os.PathError{Op: op, Path: path, Err: errno}
}

// OpenFile opens a file or (read-only) a directory.
func (m *MemFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.faultLocked(OpOpen, name); err != nil {
		return nil, err
	}
	acc := flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR)
	if m.dirs[name] {
		if acc != os.O_RDONLY {
			return nil, pathErr("open", name, syscall.EISDIR)
		}
		return &memFile{fs: m, path: name, dir: true, canRead: true}, nil
	}
	if err := m.checkParentLocked("open", name); err != nil {
		return nil, err
	}
	n := m.live[name]
	switch {
	case n == nil && flag&os.O_CREATE == 0:
		return nil, pathErr("open", name, syscall.ENOENT)
	case n == nil:
		n = &memNode{}
		m.live[name] = n
	case flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL:
		return nil, pathErr("open", name, syscall.EEXIST)
	}
	f := &memFile{
		fs: m, path: name, node: n,
		canRead:  acc == os.O_RDONLY || acc == os.O_RDWR,
		canWrite: acc == os.O_WRONLY || acc == os.O_RDWR,
		append:   flag&os.O_APPEND != 0,
	}
	if flag&os.O_TRUNC != 0 && f.canWrite {
		n.data = nil
	}
	return f, nil
}

// checkParentLocked fails unless name's parent is a directory.
func (m *MemFS) checkParentLocked(op, name string) error {
	parent := filepath.Dir(name)
	if m.dirs[parent] {
		return nil
	}
	if m.live[parent] != nil {
		return pathErr(op, name, syscall.ENOTDIR)
	}
	return pathErr(op, name, syscall.ENOENT)
}

// Rename moves a file to a new name, replacing any file there.
func (m *MemFS) Rename(oldpath, newpath string) error {
	oldpath, newpath = filepath.Clean(oldpath), filepath.Clean(newpath)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.faultLocked(OpRename, oldpath); err != nil {
		return err
	}
	n := m.live[oldpath]
	if n == nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: syscall.ENOENT}
	}
	if m.dirs[newpath] {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: syscall.EISDIR}
	}
	if err := m.checkParentLocked("rename", newpath); err != nil {
		return err
	}
	delete(m.live, oldpath)
	m.live[newpath] = n
	return nil
}

// Remove deletes a file.
func (m *MemFS) Remove(name string) error {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.faultLocked(OpRemove, name); err != nil {
		return err
	}
	if m.live[name] == nil {
		return pathErr("remove", name, syscall.ENOENT)
	}
	delete(m.live, name)
	return nil
}

// ReadDir lists the names in a directory, sorted.
func (m *MemFS) ReadDir(name string) ([]string, error) {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.faultLocked(OpReadDir, name); err != nil {
		return nil, err
	}
	if !m.dirs[name] {
		if m.live[name] != nil {
			return nil, pathErr("readdirent", name, syscall.ENOTDIR)
		}
		return nil, pathErr("open", name, syscall.ENOENT)
	}
	var names []string
	for p := range m.live {
		if filepath.Dir(p) == name {
			names = append(names, filepath.Base(p))
		}
	}
	for d := range m.dirs {
		if d != name && filepath.Dir(d) == name {
			names = append(names, filepath.Base(d))
		}
	}
	slices.Sort(names)
	return names, nil
}

// MkdirAll creates a directory and its missing parents.
func (m *MemFS) MkdirAll(path string, perm os.FileMode) error {
	path = filepath.Clean(path)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.faultLocked(OpMkdir, path); err != nil {
		return err
	}
	var missing []string
	for p := path; !m.dirs[p]; p = filepath.Dir(p) {
		if m.live[p] != nil {
			return pathErr("mkdir", p, syscall.ENOTDIR)
		}
		missing = append(missing, p)
	}
	for _, p := range missing {
		m.dirs[p] = true
	}
	return nil
}

// memFile is an open MemFS file or directory.
type memFile struct {
	fs                        *MemFS
	path                      string
	node                      *memNode // nil for a directory
	dir                       bool
	off                       int
	canRead, canWrite, append bool
	closed                    bool
}

func (f *memFile) Read(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.faultLocked(OpRead, f.path); err != nil {
		return 0, err
	}
	switch {
	case f.closed:
		return 0, os.ErrClosed
	case f.dir:
		return 0, pathErr("read", f.path, syscall.EISDIR)
	case !f.canRead:
		return 0, pathErr("read", f.path, syscall.EBADF)
	case f.off >= len(f.node.data):
		return 0, io.EOF
	}
	n := copy(p, f.node.data[f.off:])
	f.off += n
	return n, nil
}

func (f *memFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.faultLocked(OpWrite, f.path); err != nil {
		return 0, err
	}
	if f.closed {
		return 0, os.ErrClosed
	}
	if f.dir || !f.canWrite {
		return 0, pathErr("write", f.path, syscall.EBADF)
	}
	if f.append {
		f.off = len(f.node.data)
	}
	if end := f.off + len(p); end > len(f.node.data) {
		f.node.data = append(f.node.data, make([]byte, end-len(f.node.data))...)
	}
	copy(f.node.data[f.off:], p)
	f.off += len(p)
	return len(p), nil
}

func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.faultLocked(OpSync, f.path); err != nil {
		return err
	}
	if f.closed {
		return os.ErrClosed
	}
	if !f.dir {
		f.node.synced = bytes.Clone(f.node.data)
		return nil
	}
	// A directory fsync makes its current entries durable.
	for name := range f.fs.durable {
		if filepath.Dir(name) == f.path && f.fs.live[name] == nil {
			delete(f.fs.durable, name)
		}
	}
	for name, n := range f.fs.live {
		if filepath.Dir(name) == f.path {
			f.fs.durable[name] = n
		}
	}
	return nil
}

func (f *memFile) Truncate(size int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.faultLocked(OpTruncate, f.path); err != nil {
		return err
	}
	switch {
	case f.closed:
		return os.ErrClosed
	case f.dir || !f.canWrite:
		return pathErr("truncate", f.path, syscall.EINVAL)
	case size < 0:
		return pathErr("truncate", f.path, syscall.EINVAL)
	case int(size) <= len(f.node.data):
		f.node.data = f.node.data[:size:size]
	default:
		f.node.data = append(f.node.data, make([]byte, int(size)-len(f.node.data))...)
	}
	return nil
}

func (f *memFile) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return os.ErrClosed
	}
	f.closed = true
	return f.fs.faultLocked(OpClose, f.path)
}
