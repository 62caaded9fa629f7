package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// completionShells are the shells ivrctl completion writes scripts for.
var completionShells = []string{"bash", "zsh", "fish"}

const completionSynopsis = "completion bash|zsh|fish"

// runCompletion prints a completion script for a shell: commands,
// subcommands, each command's flags (read from its own flag set, so they
// cannot drift) and flow files.
func runCompletion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("completion", completionSynopsis, stderr)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(rest) != 1 || !slices.Contains(completionShells, rest[0]) {
		fmt.Fprintf(stderr, "ivrctl completion: name one shell: %s\n", strings.Join(completionShells, ", "))
		fs.Usage()
		return exitUsage
	}
	specs := completionSpecs()
	var script string
	switch rest[0] {
	case "bash":
		script = bashCompletion(specs)
	case "zsh":
		script = zshCompletion(specs)
	case "fish":
		script = fishCompletion(specs)
	}
	if _, err := io.WriteString(stdout, script); err != nil {
		fmt.Fprintf(stderr, "ivrctl completion: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// flagCollector is the stderr given to a command asked for -h by
// completionSpecs: newFlagSet hands it every flag set it makes, and what
// is written to it is thrown away.
type flagCollector struct{ sets []*flag.FlagSet }

func (*flagCollector) Write(p []byte) (int, error) { return len(p), nil }

// completionFlag is one flag of a command, as a shell completes it.
type completionFlag struct {
	name  string
	usage string
	// value says the flag takes a value (--addr :8080), unlike a boolean
	// (--strict).
	value bool
}

// completionSpec is what a shell completes after "ivrctl NAME".
type completionSpec struct {
	command
	flags []completionFlag
	// subflags are the flags of each subcommand (webhooks set).
	subflags map[string][]completionFlag
}

// completionSpecs reads every command's flags by running it with -h, the
// one way a command defines its flags.
func completionSpecs() []completionSpec {
	specs := make([]completionSpec, 0, len(commands))
	for _, c := range commands {
		spec := completionSpec{command: c, flags: commandFlags(c, nil)}
		if len(c.subcommands) > 0 && c.name != "completion" {
			spec.subflags = map[string][]completionFlag{}
			for _, sub := range c.subcommands {
				spec.subflags[sub] = commandFlags(c, []string{sub})
			}
		}
		specs = append(specs, spec)
	}
	return specs
}

// commandFlags returns the flags of c (of its subcommand when sub names one).
func commandFlags(c command, sub []string) []completionFlag {
	col := &flagCollector{}
	c.run(context.Background(), append(sub, "-h"), io.Discard, col)
	var flags []completionFlag
	for _, fs := range col.sets {
		fs.VisitAll(func(f *flag.Flag) {
			b, isBool := f.Value.(interface{ IsBoolFlag() bool })
			flags = append(flags, completionFlag{name: f.Name, usage: f.Usage, value: !isBool || !b.IsBoolFlag()})
		})
	}
	return flags
}

// summary returns a flag's usage up to its first ";" or "(default", for
// the shells that show it beside the flag.
func (f completionFlag) summary() string {
	s, _, _ := strings.Cut(f.usage, ";")
	s, _, _ = strings.Cut(s, " (default")
	return strings.TrimSpace(s)
}

func bashCompletion(specs []completionSpec) string {
	var b strings.Builder
	b.WriteString(`# bash completion for ivrctl: source <(ivrctl completion bash)
_ivrctl() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	if [[ $COMP_CWORD -eq 1 ]]; then
		COMPREPLY=($(compgen -W "`)
	for i, s := range specs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.name)
	}
	b.WriteString(` help" -- "$cur"))
		return
	fi
	local words=" ${COMP_WORDS[*]:1:COMP_CWORD-1} " flags="" valued="" subs="" files=""
	case ${COMP_WORDS[1]} in
`)
	for _, s := range specs {
		fmt.Fprintf(&b, "\t%s)\n", s.name)
		flags, valued := bashFlags(s.flags)
		if len(s.subcommands) > 0 {
			fmt.Fprintf(&b, "\t\tsubs=%q\n", strings.Join(s.subcommands, " "))
			for _, sub := range s.subcommands {
				if f, v := bashFlags(s.subflags[sub]); f != "" {
					fmt.Fprintf(&b, "\t\t[[ $words == *\" %s \"* ]] && flags=%q valued=%q\n", sub, f, v)
				}
			}
		}
		if flags != "" {
			fmt.Fprintf(&b, "\t\tflags=%q valued=%q\n", flags, valued)
		}
		if s.files {
			b.WriteString("\t\tfiles=1\n")
		}
		b.WriteString("\t\t;;\n")
	}
	b.WriteString(`	esac
	if [[ " $valued " == *" $prev "* ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$flags" -- "$cur"))
	elif [[ -n $subs && $COMP_CWORD -eq 2 ]]; then
		COMPREPLY=($(compgen -W "$subs" -- "$cur"))
	elif [[ -n $files ]]; then
		COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X '!*.y?(a)ml' -- "$cur"))
	fi
}
shopt -s extglob
complete -o filenames -o bashdefault -F _ivrctl ivrctl
`)
	return b.String()
}

// bashFlags returns a command's flags as bash words (--name), all of them
// and those that take a value.
func bashFlags(flags []completionFlag) (all, valued string) {
	var a, v []string
	for _, f := range flags {
		a = append(a, "--"+f.name)
		if f.value {
			v = append(v, "--"+f.name)
		}
	}
	return strings.Join(a, " "), strings.Join(v, " ")
}

func zshCompletion(specs []completionSpec) string {
	var b strings.Builder
	b.WriteString("#compdef ivrctl\n# zsh completion for ivrctl: ivrctl completion zsh > \"${fpath[1]}/_ivrctl\"\n_ivrctl() {\n\tlocal -a commands\n\tcommands=(\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "\t\t%s\n", zshQuote(s.name+":"+s.summary))
	}
	b.WriteString("\t)\n\tif (( CURRENT == 2 )); then\n\t\t_describe command commands\n\t\treturn\n\tfi\n\tcase $words[2] in\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "\t%s)\n", s.name)
		if len(s.subcommands) > 0 {
			fmt.Fprintf(&b, "\t\tif (( CURRENT == 3 )); then\n\t\t\tcompadd -- %s\n\t\t\treturn\n\t\tfi\n\t\tcase $words[3] in\n", strings.Join(s.subcommands, " "))
			for _, sub := range s.subcommands {
				fmt.Fprintf(&b, "\t\t%s) _arguments -s %s '*:argument:_files' ;;\n", sub, zshArgs(s.subflags[sub]))
			}
			b.WriteString("\t\tesac\n\t\t;;\n")
			continue
		}
		rest := "'*:argument:_files'"
		if s.files {
			rest = "'*:flow file:_files -g \"*.(yaml|yml)\"'"
		}
		fmt.Fprintf(&b, "\t\t_arguments -s %s %s\n\t\t;;\n", zshArgs(s.flags), rest)
	}
	b.WriteString("\tesac\n}\nif [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n\t_ivrctl \"$@\"\nelse\n\tcompdef _ivrctl ivrctl\nfi\n")
	return b.String()
}

// zshArgs returns _arguments specs for flags, each as --name[what it does].
func zshArgs(flags []completionFlag) string {
	var specs []string
	for _, f := range flags {
		what := strings.NewReplacer(`[`, `\[`, `]`, `\]`, `:`, `\:`).Replace(f.summary())
		spec := "--" + f.name + "[" + what + "]"
		if f.value {
			spec = "--" + f.name + "=[" + what + "]:value:_files"
		}
		specs = append(specs, zshQuote(spec))
	}
	return strings.Join(specs, " ")
}

// zshQuote quotes s for zsh (and fish): single quotes, with each single
// quote in s closed, escaped and reopened.
func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func fishCompletion(specs []completionSpec) string {
	var b strings.Builder
	b.WriteString("# fish completion for ivrctl: ivrctl completion fish > ~/.config/fish/completions/ivrctl.fish\ncomplete -c ivrctl -f\n")
	var names []string
	for _, s := range specs {
		names = append(names, s.name)
	}
	for _, s := range specs {
		fmt.Fprintf(&b, "complete -c ivrctl -n 'not __fish_seen_subcommand_from %s' -a %s -d %s\n", strings.Join(names, " "), s.name, fishQuote(s.summary))
		cond := "__fish_seen_subcommand_from " + s.name
		for _, sub := range s.subcommands {
			fmt.Fprintf(&b, "complete -c ivrctl -n %s -a %s\n", fishQuote(cond+"; and not __fish_seen_subcommand_from "+strings.Join(s.subcommands, " ")), sub)
			for _, f := range s.subflags[sub] {
				fishFlag(&b, cond+"; and __fish_seen_subcommand_from "+sub, f)
			}
		}
		for _, f := range s.flags {
			fishFlag(&b, cond, f)
		}
		if s.files {
			fmt.Fprintf(&b, "complete -c ivrctl -n %s -k -a '(__fish_complete_suffix .yaml; __fish_complete_suffix .yml)'\n", fishQuote(cond))
		}
	}
	return b.String()
}

func fishFlag(b *strings.Builder, cond string, f completionFlag) {
	fmt.Fprintf(b, "complete -c ivrctl -n %s -l %s -d %s", fishQuote(cond), f.name, fishQuote(f.summary()))
	if f.value {
		b.WriteString(" -r -F")
	}
	b.WriteByte('\n')
}

// fishQuote quotes s for fish, whose single quotes escape \ and '.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
