package engine

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine/callstate"
	"github.com/ivrctl/ivrctl/engine/internal/yamlwalk"
)

// Runtime templates: a spoken text may use the values a call has (what
// the caller typed, what a set node set, the caller's number) as
// {{name}} or {{name | format}}. The flow's own vars are filled in when
// the file loads; a call's values can only be filled in when the answer is
// served. So the text is compiled with a hole where each value goes: a
// rune of the supplementary private use area (U+F0000 + the hole's index
// in Flow.holes), which JSON encoding leaves as it is. Serving an answer
// whose parts hold holes (Node.dynamic) replaces each with its value,
// formatted for speech and escaped as JSON text; every other answer is
// served as its precompiled bytes.

// holeBase is the rune of hole 0; hole i is holeBase+i.
const holeBase = 0xF0000

// maxHoles bounds the holes of a flow, so that each is one rune of plane 15.
const maxHoles = 0xFFFD

// Built-in values every call has.
const (
	// VarCaller is the caller's number, as 8x8 sends it.
	VarCaller = "caller"
	// VarDialled is the number the caller dialled.
	VarDialled = "dialled"
	// VarLang is the call's language tag ("" in a flow without languages).
	VarLang = "lang"
	// VarToday and VarNow are the date (YYYYMMDD) and the time (HH:MM) the
	// webhook came, in the line's zone: its first schedule's, else UTC.
	// {{today | date}} and {{now | time}} say them.
	VarToday = "today"
	VarNow   = "now"
)

// hole is one value in a spoken text: the variable and how it is said.
type hole struct {
	name   string
	format func(v, lang string) string
	// expr is the template as written, "order | digits", for tools that
	// show a text: they show {{expr}} where the value goes.
	expr string
}

// format says a value in a language (a tag such as "es"; "" is English).
type format = func(v, lang string) string

// formats are the ways a value can be said, by name: arg says what the
// format takes after its name ("" for nothing), and make builds it.
var formats = map[string]struct {
	arg  string
	make func(arg string) (format, error)
}{
	// digits says each digit on its own: "0304" is "0 3 0 4", not "three
	// hundred and four".
	"digits": {make: func(string) (format, error) { return func(v, _ string) string { return spaced(v) }, nil }},
	// last N says the last N characters, digit by digit: a card's last 4.
	"last": {arg: "a count, such as 4", make: func(arg string) (format, error) {
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("a count, such as 4, not %q", arg)
		}
		return func(v, _ string) string {
			if len(v) > n {
				v = v[len(v)-n:]
			}
			return spaced(v)
		}, nil
	}},
	// money says an amount ("45.20", or cents when the value has no point
	// and the format says cents) in the currency given: USD by default.
	"money": {arg: "a currency, such as USD or EUR", make: moneyFormat},
	// date says a date (YYYYMMDD, YYYY-MM-DD or MMDDYYYY) in the caller's
	// language: "March 4, 2026", "4 de marzo de 2026".
	"date": {make: func(string) (format, error) { return sayDate, nil }},
	// time says a time of day (HH:MM or HHMM): "4:30 PM" in English, "16:30"
	// in the other languages.
	"time": {make: func(string) (format, error) { return sayTime, nil }},
}

// spaced returns v with a space between characters, so that a text to
// speech engine says each digit.
func spaced(v string) string {
	var b strings.Builder
	for i, r := range v {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// formatNames lists the formats for messages.
const formatNames = "digits, last N, money CURRENCY, date, time"

// runtimeHole returns the text that stands for the template {{expr}} of
// s (at s's bytes i to j) when expr names a call's value, and whether it
// does. expr is a name and, after "|", a format.
func (c *compiler) runtimeHole(s *Scalar, expr string, i, j int) (string, bool) {
	name, format, _ := strings.Cut(expr, "|")
	name, format = strings.TrimSpace(name), strings.TrimSpace(format)
	if !c.runtime[name] {
		return "", false
	}
	if !c.speaking {
		c.errorf(s.sub(i, j), RuleVar, "{{%s}} is a call's value, which only a spoken text can use", name)
		return "", true
	}
	h := hole{name: name, format: func(v, _ string) string { return v }, expr: strings.TrimSpace(expr)}
	if format != "" {
		fname, arg, _ := strings.Cut(format, " ")
		arg = strings.TrimSpace(arg)
		f, ok := formats[fname]
		switch {
		case !ok:
			d := c.errorf(s.sub(i, j), RuleVar, "unknown format %q for {{%s}}; the formats are %s", fname, name, formatNames)
			d.Hint = yamlwalk.Suggest(fname, slices.Sorted(maps.Keys(formats)))
			return "", true
		case f.arg == "" && arg != "":
			c.errorf(s.sub(i, j), RuleVar, "format %s takes nothing after it", fname)
			return "", true
		}
		fm, err := f.make(arg)
		if err != nil {
			c.errorf(s.sub(i, j), RuleVar, "format %s takes %v", fname, err)
			return "", true
		}
		h.format = fm
	}
	if len(c.holes) >= maxHoles {
		c.errorf(s.sub(i, j), RuleVar, "the flow uses more than %d values in its texts", maxHoles)
		return "", true
	}
	c.holes = append(c.holes, h)
	return string(rune(holeBase + len(c.holes) - 1)), true
}

// runtimeNames returns the names of the values a call can have: the
// built-in ones and those the flow's nodes set.
func (c *compiler) runtimeNames() map[string]bool {
	names := map[string]bool{VarCaller: true, VarDialled: true, VarLang: true, VarToday: true, VarNow: true}
	for _, d := range c.f.Nodes {
		if d.Into != nil {
			names[d.Into.Value] = true
		}
		for _, kv := range d.Sets {
			names[kv.Name.Value] = true
		}
		if d.Request != nil {
			for _, sv := range d.Request.Save {
				names[sv.Name.Value] = true
			}
		}
	}
	return names
}

// appendFilled appends the part b to dst with each hole filled with its
// value in the step's state and input, said as its format says and escaped
// as JSON text. A value is cleaned of what 8x8 would refuse in a text
// (control characters, bytes that are not UTF-8): it is never sent as is.
func (f *Flow) appendFilled(dst, b []byte, st *State, in *Input, lang string) []byte {
	for {
		i := bytes.IndexByte(b, 0xF3)
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i]...)
		r, size := utf8.DecodeRune(b[i:])
		if !isHole(r) || int(r-holeBase) >= len(f.holes) {
			dst = append(dst, b[i:i+size]...)
		} else {
			h := f.holes[r-holeBase]
			dst = appendJSONText(dst, h.format(f.valueOf(h.name, st, in), lang))
		}
		b = b[i+size:]
	}
}

// valueOf returns the value name has in a call; "" when it is not set.
func (f *Flow) valueOf(name string, st *State, in *Input) string {
	v, _ := f.lookup(name, st, in)
	return v
}

// appendJSONText appends v to dst as the inside of a JSON string, with
// control characters and bytes that are not UTF-8 replaced by spaces.
func appendJSONText(dst []byte, v string) []byte {
	for _, r := range v {
		switch {
		case r == '"' || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r == utf8.RuneError || unicode.IsControl(r) || isHole(r):
			dst = append(dst, ' ')
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// runtimeList returns the names of a call's values, for "did you mean".
func (c *compiler) runtimeList() []string {
	var out []string
	for n := range c.runtime {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// showHoles writes each hole of the compiled callflows the tools read
// (Node.Callflow, CallflowIn, a budget's messages) back as {{expr}}, once
// the answers served have been compiled from them.
func (c *compiler) showHoles() {
	if len(c.holes) == 0 {
		return
	}
	show := func(s string) string {
		if !strings.ContainsFunc(s, isHole) {
			return s
		}
		var b strings.Builder
		for _, r := range s {
			if isHole(r) && int(r-holeBase) < len(c.holes) {
				b.WriteString("{{" + c.holes[r-holeBase].expr + "}}")
				continue
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	fix := func(cf callflows.Callflow) {
		for _, a := range cf {
			switch a := a.(type) {
			case *callflows.Say:
				a.Text = show(a.Text)
			case *callflows.SayAndCapture:
				a.PromptMessage = show(a.PromptMessage)
			}
		}
	}
	for _, n := range c.flow.order {
		fix(n.callflow)
		for _, cf := range n.flows {
			fix(cf)
		}
		if m := n.menu; m != nil {
			for _, r := range m.reprompts {
				fix(r.cf)
			}
			for _, b := range []*budget{&m.noInput, &m.invalid} {
				for _, msg := range b.msgs {
					for _, r := range msg {
						fix(r.cf)
					}
				}
			}
		}
	}
}

// isHole reports whether r stands for a call's value in a compiled text.
func isHole(r rune) bool { return r >= holeBase && r < holeBase+maxHoles }

// maxValueSpoken is the most characters one value can add to a text when
// it is said: callstate.MaxValueLen bytes, doubled by the digits format's
// spaces, which is more than money, date and time take.
const maxValueSpoken = 2 * callstate.MaxValueLen

// valueName reports whether name can name a call's value: letters, digits
// and _, at most callstate.MaxVarNameLen.
func valueName(name string) bool {
	return varName.MatchString(name) && len(name) <= callstate.MaxVarNameLen
}
