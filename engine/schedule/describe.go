package schedule

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// item is one fact of a schedule that Describe prints and Changes
// compares: what it is about (label, unique in a schedule), its value, and
// how to say that it is not there.
type item struct {
	label, value, none string
}

// describe lists the facts of the schedule being compiled, in the order a
// reader expects: zone, calendar, each branch's weekly hours by day from
// Monday, closed dates and special hours by date.
func (c *compiler) describe() []item {
	s := c.s
	items := []item{{"time zone", s.loc.String(), "none"}}
	if s.cal != nil {
		items = append(items, item{"public holidays", s.cal.code, "none"})
	}
	for b, name := range s.names {
		for d, spans := range c.weeks {
			if text := rangesOf(spans, uint8(b)); text != "" {
				items = append(items, item{name + " on " + dayNames[d], text, Closed})
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(s.closures)) {
		cl := s.closures[key]
		value := s.names[cl.branch]
		if cl.name != "" {
			value += " (" + cl.name + ")"
		}
		items = append(items, item{"closed on " + dateString(key), value, "none"})
	}
	for _, key := range slices.Sorted(maps.Keys(c.specials)) {
		var parts []string
		for b, name := range s.names {
			if text := rangesOf(c.specials[key], uint8(b)); text != "" {
				parts = append(parts, name+" "+text)
			}
		}
		value := strings.Join(parts, "; ")
		if value == "" {
			value = Closed
		}
		items = append(items, item{"special hours on " + dateString(key), value, "none"})
	}
	return items
}

// rangesOf writes the spans of one branch, merged where they touch or
// overlap, as "08:00-12:00, 13:00-17:00"; "" when there are none.
func rangesOf(spans []span, branch uint8) string {
	var merged [][2]int
	for _, sp := range spans {
		if sp.branch == branch {
			merged = append(merged, [2]int{sp.start, sp.end})
		}
	}
	slices.SortFunc(merged, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	var parts []string
	for i := 0; i < len(merged); {
		start, end := merged[i][0], merged[i][1]
		for i++; i < len(merged) && merged[i][0] <= end; i++ {
			end = max(end, merged[i][1])
		}
		parts = append(parts, clockRange(start, end))
	}
	return strings.Join(parts, ", ")
}

// Describe is the schedule in plain words, one fact a line: its zone, its
// calendar, each branch's weekly hours (days with the same hours joined,
// as mon-fri), its closed dates and its special hours.
func (s *Schedule) Describe() string {
	var lines []string
	for i := 0; i < len(s.desc); i++ {
		it := s.desc[i]
		branch, first, weekly := strings.Cut(it.label, " on ")
		if _, isDay := dayIndex(first); !weekly || !isDay {
			lines = append(lines, it.label+": "+it.value)
			continue
		}
		// Join the following days of the same branch with the same hours.
		last := first
		for i+1 < len(s.desc) {
			next := s.desc[i+1]
			b, d, _ := strings.Cut(next.label, " on ")
			di, _ := dayIndex(d)
			li, _ := dayIndex(last)
			if b != branch || next.value != it.value || di != li+1 {
				break
			}
			last = d
			i++
		}
		days := first
		if last != first {
			days += "-" + last
		}
		lines = append(lines, branch+" on "+days+": "+it.value)
	}
	return strings.Join(lines, "\n")
}

// Changes says in plain words what differs from old to new, one change a
// line, such as "open on mon: 08:00-12:00, 13:00-17:00 → 08:00-12:00" or
// "closed on 2026-12-25: none → holiday (Christmas Day)", in the order of
// new's facts, then those only old has. Equal schedules have none.
func Changes(old, new *Schedule) []string {
	was := map[string]item{}
	for _, it := range old.desc {
		was[it.label] = it
	}
	var out []string
	for _, it := range new.desc {
		before, ok := was[it.label]
		delete(was, it.label)
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: %s → %s", it.label, it.none, it.value))
		case before.value != it.value:
			out = append(out, fmt.Sprintf("%s: %s → %s", it.label, before.value, it.value))
		}
	}
	for _, it := range old.desc {
		if _, gone := was[it.label]; gone {
			out = append(out, fmt.Sprintf("%s: %s → %s", it.label, it.value, it.none))
		}
	}
	return out
}
