//go:build !unix

package switches

import "os"

// lock does nothing where flock is not: writes are still atomic (a
// rename), but two processes flipping at once may lose one flip.
func lock(*os.File) error { return nil }

// unlock does nothing, as lock does.
func unlock(*os.File) error { return nil }
