//go:build !unix

package server

// openFilesLimit says the limit on open files is not known.
func openFilesLimit() (int, bool) { return 0, false }
