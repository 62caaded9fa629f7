package engine

import "os"

// LoadOptions say where Load reads a flow file from and how strictly it
// checks it. The zero value reads the file and checks it for serving.
type LoadOptions struct {
	// Source is the file's content, already read (embedded, or read to be
	// printed with the diagnostics); nil means read the file at path.
	Source []byte
	// Env looks up the environment for ${NAME} references; nil means the
	// process environment.
	Env LookupEnv
	// Lint checks the flow for a machine that is not the one it runs on,
	// such as CI: a ${NAME} that is unset and has no default is a warning
	// rather than an error, and expands to "". Every other diagnostic is as
	// without Lint, except those an empty value from the environment would
	// cause (an empty dial number, say), which are not reported.
	Lint bool
	// Voices, when not nil, are the speech profiles of the 8x8 sub-account
	// (ivrctl voices): a voice the flow speaks with that is not among them
	// is an error, which 8x8 would otherwise report only when a caller
	// reaches it. An empty, non-nil list refuses every voice.
	Voices []string
}

// Load parses, checks and compiles the flow file at path. The error is for
// a file that cannot be read, and is nil when opts.Source is set; problems
// in the file are in the diagnostics. Warnings do not stop a flow from
// loading, so the flow is returned with them; it is nil when any
// diagnostic is an error.
func Load(path string, opts LoadOptions) (*Flow, Diagnostics, error) {
	src := opts.Source
	if src == nil {
		var err error
		if src, err = os.ReadFile(path); err != nil {
			return nil, nil, err
		}
	}
	if opts.Env == nil {
		opts.Env = os.LookupEnv
	}
	f, diags := Parse(path, src)
	flow, more := compile(f, src, opts, diags.HasErrors())
	diags = append(diags, more...)
	markSensitive(f, diags)
	diags.Sort()
	if diags.HasErrors() {
		return nil, diags, nil
	}
	return flow, diags, nil
}

// markSensitive marks the diagnostics that lie within a node marked
// sensitive. Anything but false counts: a menu whose sensitive value is
// wrong was meant to be sensitive, and a file with errors is marked too.
func markSensitive(f *File, diags Diagnostics) {
	if f == nil {
		return
	}
	for _, n := range f.Nodes {
		if n == nil || n.Sensitive == nil || n.Sensitive.Value == "false" {
			continue
		}
		for _, d := range diags {
			if d.Pos.File == n.Pos.File && comparePos(d.Pos, n.Pos) >= 0 && (n.End.Line == 0 || comparePos(d.Pos, n.End) < 0) {
				d.Sensitive = true
			}
		}
	}
}
