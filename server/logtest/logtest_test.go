package logtest_test

import (
	"testing"

	"github.com/rs/zerolog"

	"github.com/ivrctl/ivrctl/server/logtest"
)

func TestBuffer(t *testing.T) {
	var b logtest.Buffer
	log := zerolog.New(&b)
	log.Info().Str("node", "main_menu").Msg("vca")
	log.Warn().Int("status", 400).Msg("vss rejected")
	lines, err := b.Take()
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || lines[0]["node"] != "main_menu" || lines[1]["status"] != float64(400) {
		t.Errorf("Take = %v", lines)
	}
	if b.String() != "" {
		t.Errorf("after Take the buffer holds %q", b.String())
	}
	b.Write([]byte("not json\n"))
	if _, err := b.Take(); err == nil {
		t.Error("Take of a line that is not JSON: no error")
	}
}
