// Package logtest collects the JSON log lines a server writes during a
// test, so that the test can read them back as objects while the server's
// goroutines go on writing.
package logtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

// Buffer collects JSON log lines; give it to zerolog.New. It is safe to
// read while other goroutines write to it.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what has been written and not yet taken.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Take returns the lines written so far, each parsed as a JSON object,
// and forgets them. A line that is not JSON is an error.
func (b *Buffer) Take() ([]map[string]any, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var lines []map[string]any
	for line := range bytes.Lines(b.buf.Bytes()) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			return nil, fmt.Errorf("log line %q is not JSON: %w", line, err)
		}
		lines = append(lines, m)
	}
	b.buf.Reset()
	return lines, nil
}
