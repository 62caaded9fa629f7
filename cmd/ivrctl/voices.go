package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/ivrctl/ivrctl/callflows/voiceapi"
)

func runVoices(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("voices", "voices [--json] [--api-base URL]", stderr)
	asJSON := fs.Bool("json", false, "print 8x8's list as JSON, for lint --voices")
	client, code := noArgsClient(fs, &apiFlags{}, args, stderr)
	if client == nil {
		return code
	}
	profiles, err := client.SpeechProfiles(ctx)
	if err != nil {
		return apiFailure("voices", stderr, err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(profiles); err != nil {
			fmt.Fprintf(stderr, "ivrctl voices: %v\n", err)
			return exitFailure
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VOICE\tLOCALE\tGENDER\tLANGUAGE")
	for _, p := range profiles {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.SpeechProfileCode, p.LocaleCode, p.Gender, p.LocaleDescription)
	}
	tw.Flush()
	return exitOK
}

// readVoices reads a list of voice codes saved from ivrctl voices: its
// --json output (or 8x8's own {"speechProfiles": [...]} answer), or text
// with the code first on each line, as the table prints it.
func readVoices(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && (trimmed[0] == '[' || trimmed[0] == '{') {
		var list []voiceapi.SpeechProfile
		if trimmed[0] == '{' {
			var wrapped struct {
				SpeechProfiles []voiceapi.SpeechProfile `json:"speechProfiles"`
			}
			err = json.Unmarshal(trimmed, &wrapped)
			list = wrapped.SpeechProfiles
		} else {
			err = json.Unmarshal(trimmed, &list)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		codes := make([]string, 0, len(list))
		for _, p := range list {
			codes = append(codes, p.SpeechProfileCode)
		}
		return codes, nil
	}
	var codes []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") || fields[0] == "VOICE" {
			continue
		}
		codes = append(codes, fields[0])
	}
	return codes, sc.Err()
}
