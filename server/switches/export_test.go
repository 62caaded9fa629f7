package switches

// PollOnly makes f's Watch poll only, as on a file system that sends no
// events for another host's writes.
func PollOnly(f *File) { f.noEvents = true }
