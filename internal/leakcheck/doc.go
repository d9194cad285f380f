// Package leakcheck makes a package's tests fail when they leave
// goroutines running (go.uber.org/goleak) or file descriptors open
// (/proc/self/fd, Linux) once they are done.
//
// Drive it from TestMain, in a file of its own (leak_test.go):
//
//	func TestMain(m *testing.M) { leakcheck.Main(m) }
//
// or, in a TestMain that does more, code := leakcheck.Run(m) in place of
// m.Run(). A single test can check its own descriptors with OpenFDs before
// and NewFDs after.
package leakcheck
