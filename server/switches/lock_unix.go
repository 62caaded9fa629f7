//go:build unix

package switches

import (
	"os"
	"syscall"
)

// lock takes an exclusive lock on the open file l, waiting for it: the
// CLI and every server on a host (or a shared volume whose file system
// passes flock on) take turns to read, change and write the store.
func lock(l *os.File) error { return syscall.Flock(int(l.Fd()), syscall.LOCK_EX) }

// unlock releases lock's lock.
func unlock(l *os.File) error { return syscall.Flock(int(l.Fd()), syscall.LOCK_UN) }
