package engine

import (
	"regexp"
	"strings"

	"github.com/ivrctl/ivrctl/engine/internal/yamlwalk"
)

// LookupEnv looks up an environment variable, as os.LookupEnv does.
type LookupEnv func(name string) (string, bool)

// Rule IDs of variable diagnostics.
const (
	RuleEnv = "env"
	RuleVar = "var"
)

var (
	varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// envRef matches ${NAME} and ${NAME:-default}.
	envRef = regexp.MustCompile(`\$\{([^}:]*)(:-([^}]*))?\}`)
	// template matches {{name}}, spaces allowed inside the braces.
	template = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)
)

// expandEnv expands the ${NAME} and ${NAME:-default} references of a var's
// value. ${NAME:-default} takes default when NAME is unset or empty; a
// plain ${NAME} that is unset is an error, because a phone line must not
// quietly dial an empty number.
func (c *compiler) expandEnv(s *Scalar) string {
	return replaceAllIndex(envRef, s.Value, func(m []int) string {
		name := s.Value[m[2]:m[3]]
		if !varName.MatchString(name) {
			c.errorf(s.sub(m[0], m[1]), RuleEnv, "invalid environment variable name %q in ${...}", name)
			return ""
		}
		v, ok := c.env(name)
		if m[4] >= 0 { // has :-default
			if !ok || v == "" {
				return s.Value[m[6]:m[7]]
			}
			return v
		}
		if !ok {
			report := c.errorf
			if c.lint { // lint runs where the flow's environment is not
				report = c.warnf
				c.unsetUsed++
			}
			d := report(s.sub(m[0], m[1]), RuleEnv, "environment variable %s is not set and has no default", name)
			d.Hint = "set it, or give a default as ${" + name + ":-value}"
		}
		return v
	})
}

// expand replaces the {{name}} templates of a value with the flow's vars.
// ${...} is reported here: the environment is read only in vars, so that one
// place lists everything a deployment can change.
func (c *compiler) expand(s *Scalar) string {
	if s == nil {
		return ""
	}
	if loc := envRef.FindStringIndex(s.Value); loc != nil {
		d := c.errorf(s.sub(loc[0], loc[1]), RuleEnv, "%s is expanded only in vars", s.Value[loc[0]:loc[1]])
		d.Hint = "define a var with it and write {{name}} here"
	}
	if !strings.Contains(s.Value, "{{") {
		return s.Value
	}
	return replaceAllIndex(template, s.Value, func(m []int) string {
		name := s.Value[m[2]:m[3]]
		if text, ok := c.runtimeHole(s, name, m[0], m[1]); ok {
			return text
		}
		v, ok := c.vars[name]
		if c.unsetEnv[name] {
			c.unsetUsed++
			c.unsetAt[s.Pos] = true
		}
		if !ok {
			d := c.errorf(s.sub(m[0], m[1]), RuleVar, "unknown variable %q", name)
			d.Hint = yamlwalk.Suggest(name, append(c.varNames, c.runtimeList()...))
			return ""
		}
		return v
	})
}

// replaceAllIndex is regexp.ReplaceAllStringFunc with the submatch indexes
// passed to fn.
func replaceAllIndex(re *regexp.Regexp, s string, fn func(m []int) string) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(s[last:m[0]])
		b.WriteString(fn(m))
		last = m[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
