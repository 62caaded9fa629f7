package schedule

import (
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // schedules work on a machine without /usr/share/zoneinfo
)

// Field is one value of a schedule as written in the flow file; Ref is the
// caller's handle for where it was written, returned in Problems about it.
type Field struct {
	Value string
	Ref   int
}

// Weekly is one line of weekly hours: Branch holds on Days during Hours,
// such as open, "mon-fri", "08:00-12:00, 13:00-17:00".
type Weekly struct {
	Branch Field
	Days   Field
	Hours  Field
}

// Closure closes a whole local day: Date (YYYY-MM-DD) is in Branch, or in
// Holiday when Branch is empty. Name says why, for people.
type Closure struct {
	Date   Field
	Name   Field
	Branch Field
}

// Special gives a date hours of its own in place of its weekly ones:
// Branch holds during Hours on Date. Hours "closed" or empty closes the
// date, whatever Branch says.
type Special struct {
	Date   Field
	Branch Field
	Hours  Field
}

// Spec is a schedule as written, for Compile. Ref is the handle of the
// schedule itself, for problems about it as a whole. Holidays, which may
// be empty, names a calendar of Calendars.
type Spec struct {
	Ref      int
	Zone     Field
	Weekly   []Weekly
	Closed   []Closure
	Special  []Special
	Holidays Field
}

// Branches every schedule can return without naming them.
const (
	// Closed holds when no range does, and on dates whose special hours
	// are "closed".
	Closed = "closed"
	// Holiday holds on closed dates that name no branch and on public
	// holidays.
	Holiday = "holiday"
)

const (
	minutesPerDay  = 24 * 60
	minutesPerWeek = 7 * minutesPerDay
	// maxBranches bounds the branches of one schedule, so that a branch
	// index fits the byte the tables keep.
	maxBranches = 255
)

// seg is a stretch of a day that ends, exclusive, at minute end, the
// previous seg's end being its start.
type seg struct {
	end    uint16
	branch uint8
}

// day is the branch at every minute of one local day, as segs that end at
// minutesPerDay.
type day []seg

func (d day) at(minute int) uint8 {
	for _, s := range d {
		if minute < int(s.end) {
			return s.branch
		}
	}
	return 0
}

// Schedule is a compiled schedule. It never changes, so it is shared
// across goroutines without locks.
type Schedule struct {
	loc   *time.Location
	names []string // branch names by index; names[0] is Closed
	// week is each weekday's table (by time.Weekday) when neither it nor
	// the day before has a date of its own.
	week [7]day
	// dates holds the tables of the days that differ from week: dated
	// closures, special hours, public holidays within the calendar's
	// precomputed years, and the day after each.
	dates map[int64]day
	// own is each weekday's own ranges, indexed by the minute from its
	// 00:00 up to the next day's 24:00, for the days computed on demand.
	own      [7]*[2 * minutesPerDay]uint8
	special  map[int64]*[2 * minutesPerDay]uint8
	closures map[int64]closure
	cal      *calendar
	holidays map[int64]string // the calendar's, within its precomputed years
	br       []string         // Branches, computed once
	desc     []item           // what Describe and Changes compare
}

type closure struct {
	branch uint8
	name   string
}

// Location is the schedule's time zone.
func (s *Schedule) Location() *time.Location { return s.loc }

// Branch is the branch that holds at instant t: the name of a weekly or
// special branch, the branch of a closed date or holiday, or Closed.
func (s *Schedule) Branch(t time.Time) string {
	key, minute := s.local(t)
	return s.names[s.dayOf(key).at(minute)]
}

// Branches is every branch the schedule can return, in a stable order:
// the weekly branches in the order the Spec names them, then those of
// closed dates, of special hours and Holiday for a calendar, each where
// first named, and Closed last if some instant is in no range.
func (s *Schedule) Branches() []string { return slices.Clone(s.br) }

// Explain says which branch holds at t and why, with the local time, for
// people (ivrctl sim --at): "Fri 2026-12-25 10:00 EST: holiday (closed:
// Christmas Day)".
func (s *Schedule) Explain(t time.Time) string {
	key, minute := s.local(t)
	branch := s.names[s.dayOf(key).at(minute)]
	var why string
	date := dateString(key)
	if c, ok := s.closures[key]; ok {
		why = "closed"
		if c.name != "" {
			why += ": " + c.name
		}
	} else if _, ok := s.special[key]; ok {
		why = "special hours of " + date
	} else if name, ok := s.holiday(key); ok {
		why = "public holiday: " + name
	} else {
		why = "weekly hours"
		if own := s.ownOf(key); own != nil && own[minute] == 0 && branch != Closed {
			why = "the day before's hours, past midnight"
		}
	}
	return fmt.Sprintf("%s: %s (%s)", t.In(s.loc).Format("Mon 2006-01-02 15:04 MST"), branch, why)
}

// local is the local date of t, as days since 1970-01-01, and the minute
// of that local day its wall clock shows.
func (s *Schedule) local(t time.Time) (int64, int) {
	_, offset := t.In(s.loc).Zone()
	sec := t.Unix() + int64(offset)
	key := sec / 86400
	if sec%86400 < 0 {
		key--
	}
	return key, int(sec-key*86400) / 60
}

func weekday(key int64) time.Weekday {
	return time.Weekday(((key+4)%7 + 7) % 7) // 1970-01-01 was a Thursday
}

func dateKey(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func dateString(key int64) string {
	return time.Unix(key*86400, 0).UTC().Format(time.DateOnly)
}

// dayOf is the table of the local day key.
func (s *Schedule) dayOf(key int64) day {
	if d, ok := s.dates[key]; ok {
		return d
	}
	if s.cal != nil && !(s.cal.precomputed(key) && s.cal.precomputed(key-1)) {
		return s.compute(key)
	}
	return s.week[weekday(key)]
}

// ownOf is the ranges that start on day key, nil when it is closed.
func (s *Schedule) ownOf(key int64) *[2 * minutesPerDay]uint8 {
	if _, ok := s.closures[key]; ok {
		return nil
	}
	if own, ok := s.special[key]; ok {
		return own
	}
	if _, ok := s.holiday(key); ok {
		return nil
	}
	return s.own[weekday(key)]
}

func (s *Schedule) holiday(key int64) (string, bool) {
	if s.cal == nil {
		return "", false
	}
	if s.cal.precomputed(key) {
		name, ok := s.holidays[key]
		return name, ok
	}
	return s.cal.holiday(key)
}

// compute builds the table of day key by the precedence rules: a closure
// or holiday takes the whole day; otherwise the day before's ranges that
// run past midnight, then the day's own ranges.
func (s *Schedule) compute(key int64) day {
	if c, ok := s.closures[key]; ok {
		return day{{minutesPerDay, c.branch}}
	}
	if _, ok := s.special[key]; !ok {
		if _, ok := s.holiday(key); ok {
			return day{{minutesPerDay, s.index(Holiday)}}
		}
	}
	return combine(s.ownOf(key-1), s.ownOf(key))
}

// combine is the table of a day whose own ranges are cur, after a day
// whose own ranges are prev (nil when closed).
func combine(prev, cur *[2 * minutesPerDay]uint8) day {
	var minutes [minutesPerDay]uint8
	if prev != nil {
		copy(minutes[:], prev[minutesPerDay:])
	}
	for m, b := range cur[:minutesPerDay] {
		if b != 0 {
			minutes[m] = b
		}
	}
	return segments(minutes[:])
}

func (s *Schedule) index(branch string) uint8 {
	return uint8(slices.Index(s.names, branch))
}

func segments(minutes []uint8) day {
	var d day
	for m, b := range minutes {
		if m > 0 && b == minutes[m-1] {
			d[len(d)-1].end++
			continue
		}
		d = append(d, seg{uint16(m + 1), b})
	}
	return d
}

// Compile checks a Spec and compiles it. It returns a nil Schedule when
// any of the Problems is an error; warnings come with a Schedule.
func Compile(spec Spec) (*Schedule, []Problem) {
	c := &compiler{
		s: &Schedule{
			names:    []string{Closed},
			special:  map[int64]*[2 * minutesPerDay]uint8{},
			closures: map[int64]closure{},
		},
		byName: map[string]uint8{Closed: 0},
	}
	c.zone(spec.Zone)
	c.weekly(spec.Weekly)
	c.closeDates(spec.Closed)
	c.specialHours(spec.Special)
	c.calendar(spec.Holidays)
	if c.opens == 0 {
		c.problem(spec.Ref, RuleNeverOpen, "the schedule is never open: it has no weekly hours and no special hours",
			`give weekly hours, such as open: {mon-fri: "09:00-17:00"}`)
	}
	c.overlaps()
	for _, p := range c.problems {
		if !p.Warning {
			return nil, c.problems
		}
	}
	c.build()
	return c.s, c.problems
}

// span is one range as compiled: from start to end, in minutes from the
// 00:00 of the day it starts on (end up to 2*minutesPerDay), in branch.
type span struct {
	start, end int
	branch     uint8
	src        *source
}

// source is where a span was written, to name it in Problems.
type source struct {
	ref    int
	order  int    // position in the Spec, so a pair is reported at the later
	origin int    // the range as written, one for all the days of mon-fri
	text   string // "open fri 22:00-02:00"
}

type compiler struct {
	s           *Schedule
	byName      map[string]uint8
	problems    []Problem
	weeks       [7][]span
	specials    map[int64][]span
	closedDates map[int64]bool // dates closed by special hours "closed"
	order       int
	origins     int // ranges as written so far
	opens       int // ranges given, weekly and special
}

func (c *compiler) problem(ref int, rule, msg, hint string) {
	c.problems = append(c.problems, Problem{Ref: ref, Rule: rule, Warning: isWarning(rule), Message: msg, Hint: hint})
}

func (c *compiler) zone(f Field) {
	name := strings.TrimSpace(f.Value)
	switch name {
	case "":
		c.problem(f.Ref, RuleZone, "the schedule names no time zone", "name an IANA zone, such as America/New_York or Europe/London")
		return
	case "Local":
		c.problem(f.Ref, RuleZone, `zone "Local" is the serving machine's, which may differ from the line's`, "name an IANA zone, such as America/New_York or Europe/London")
		return
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		hint := didYouMean(name, zoneNames)
		if hint == "" {
			hint = "name an IANA zone, such as America/New_York or Europe/London"
		}
		c.problem(f.Ref, RuleZone, fmt.Sprintf("unknown time zone %q", name), hint)
		return
	}
	c.s.loc = loc
}

// branch is the index of a branch name, added if new.
func (c *compiler) branch(f Field, dflt string) (uint8, bool) {
	name := strings.TrimSpace(f.Value)
	if name == "" {
		name = dflt
	}
	if b, ok := c.byName[name]; ok {
		return b, true
	}
	if !validBranch(name) {
		c.problem(f.Ref, RuleSyntax, fmt.Sprintf("branch name %q is not 1 to 64 letters, digits, _ and -", name), "")
		return 0, false
	}
	if len(c.s.names) == maxBranches {
		c.problem(f.Ref, RuleSyntax, fmt.Sprintf("more than %d branches", maxBranches-1), "")
		return 0, false
	}
	b := uint8(len(c.s.names))
	c.s.names = append(c.s.names, name)
	c.byName[name] = b
	return b, true
}

func validBranch(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func (c *compiler) weekly(lines []Weekly) {
	for _, w := range lines {
		b, okBranch := c.branch(w.Branch, "")
		days, okDays := c.days(w.Days)
		hours, okHours := c.hours(w.Hours)
		if !okBranch || b != 0 { // hours of the branch closed open nothing
			c.opens += len(hours)
		}
		if !okBranch || !okDays || !okHours {
			continue
		}
		for i, h := range hours {
			for d := range 7 {
				if days&(1<<d) == 0 {
					continue
				}
				c.order++
				text := fmt.Sprintf("%s %s %s", c.s.names[b], dayNames[d], clockRange(h[0], h[1]))
				c.weeks[d] = append(c.weeks[d], span{h[0], h[1], b, &source{w.Hours.Ref, c.order, c.origins + i, text}})
			}
		}
		c.origins += len(hours)
	}
}

func (c *compiler) days(f Field) (uint8, bool) {
	days, err := parseDays(f.Value)
	if err != nil {
		c.problem(f.Ref, RuleSyntax, err.Error(), "write days as mon-fri, sat, sun, lists such as mon, wed, fri, or daily")
		return 0, false
	}
	return days, true
}

// hours parses a Field of ranges, reporting what is wrong with it.
func (c *compiler) hours(f Field) ([][2]int, bool) {
	hours, err := parseHours(f.Value)
	switch {
	case err == errEmptyRange:
		c.problem(f.Ref, RuleEmptyRange, fmt.Sprintf("%q has a range that starts where it ends, so it never holds", f.Value),
			"for the whole day write 00:00-24:00")
		return nil, false
	case err != nil:
		c.problem(f.Ref, RuleSyntax, err.Error(), `write hours as "08:00-12:00, 13:00-17:00" (24-hour clock), or closed`)
		return nil, false
	}
	return hours, true
}

func (c *compiler) date(f Field) (int64, bool) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(f.Value))
	if err != nil {
		c.problem(f.Ref, RuleDate, fmt.Sprintf("%q is not a date", f.Value), "write dates as YYYY-MM-DD, such as 2026-12-25")
		return 0, false
	}
	return dateKey(t.Date()), true
}

func (c *compiler) closeDates(closures []Closure) {
	for _, cl := range closures {
		key, okDate := c.date(cl.Date)
		b, okBranch := c.branch(cl.Branch, Holiday)
		if !okDate || !okBranch {
			continue
		}
		if _, dup := c.s.closures[key]; dup {
			c.problem(cl.Date.Ref, RuleDuplicateDate, fmt.Sprintf("%s is closed twice", dateString(key)), "keep one of them")
			continue
		}
		c.s.closures[key] = closure{b, strings.TrimSpace(cl.Name.Value)}
	}
}

func (c *compiler) specialHours(specials []Special) {
	c.specials = map[int64][]span{}
	c.closedDates = map[int64]bool{}
	seen := map[int64]map[string]bool{}
	for _, sp := range specials {
		key, okDate := c.date(sp.Date)
		hours, okHours := c.hours(sp.Hours)
		closed := okHours && len(hours) == 0
		var b uint8
		okBranch := true
		if !closed {
			b, okBranch = c.branch(sp.Branch, "")
		}
		c.opens += len(hours)
		if !okDate || !okHours || !okBranch {
			continue
		}
		date := dateString(key)
		if _, ok := c.s.closures[key]; ok {
			c.problem(sp.Date.Ref, RuleDuplicateDate, fmt.Sprintf("%s is both a closed date and a date with special hours, and the closure wins", date),
				"remove the special hours or the closure")
			continue
		}
		branch := c.s.names[b]
		if closed {
			branch = Closed
		}
		if seen[key] == nil {
			seen[key] = map[string]bool{}
		}
		if seen[key][branch] || closed && len(seen[key]) > 0 || c.closedDates[key] {
			c.problem(sp.Date.Ref, RuleDuplicateDate, fmt.Sprintf("%s has special hours for %s twice, or is closed and has hours", date, branch),
				"give each branch of a date its hours once")
			continue
		}
		seen[key][branch] = true
		if closed {
			c.closedDates[key] = true
			c.specials[key] = nil
			continue
		}
		for _, h := range hours {
			c.order++
			text := fmt.Sprintf("%s %s %s", branch, date, clockRange(h[0], h[1]))
			c.origins++
			c.specials[key] = append(c.specials[key], span{h[0], h[1], b, &source{sp.Hours.Ref, c.order, c.origins, text}})
		}
	}
}

func (c *compiler) calendar(f Field) {
	code := strings.ToLower(strings.TrimSpace(f.Value))
	if code == "" {
		return
	}
	cal, ok := calendars[code]
	if !ok {
		codes := Calendars()
		hint := strings.TrimSpace(didYouMean(code, codes) + " known calendars: " + strings.Join(codes, ", "))
		c.problem(f.Ref, RuleHolidays, fmt.Sprintf("unknown holiday calendar %q", f.Value), hint)
		return
	}
	if _, ok := c.branch(Field{Holiday, f.Ref}, ""); ok {
		c.s.cal = cal
	}
}

// overlaps reports ranges that hold at the same minute: over the week, and
// around every date with special hours (the night before running into it,
// its own ranges, and its ranges running into the next day).
func (c *compiler) overlaps() {
	reported := map[int]bool{}
	var week []span
	for d, spans := range c.weeks {
		for _, sp := range spans {
			start, end := d*minutesPerDay+sp.start, d*minutesPerDay+sp.end
			if end > minutesPerWeek { // Saturday night into Sunday: wrap
				week = append(week, span{0, end - minutesPerWeek, sp.branch, sp.src})
				end = minutesPerWeek
			}
			week = append(week, span{start, end, sp.branch, sp.src})
		}
	}
	c.pairs(week, nil, reported)
	for key, own := range c.specials {
		var all []span
		if !c.isClosed(key - 1) {
			for _, sp := range c.spansOf(key - 1) {
				if sp.end > minutesPerDay {
					all = append(all, span{0, sp.end - minutesPerDay, sp.branch, sp.src})
				}
			}
		}
		all = append(all, own...)
		for _, sp := range c.spansOf(key + 1) {
			if !c.isClosed(key + 1) {
				all = append(all, span{sp.start + minutesPerDay, sp.end + minutesPerDay, sp.branch, sp.src})
			}
		}
		ownSet := map[*source]bool{}
		for _, sp := range own {
			ownSet[sp.src] = true
		}
		c.pairs(all, ownSet, reported)
	}
}

// isClosed says whether a date is closed all day by the file. The
// calendar is left out: overlaps are the file's, whatever the year.
func (c *compiler) isClosed(key int64) bool {
	_, ok := c.s.closures[key]
	return ok
}

func (c *compiler) spansOf(key int64) []span {
	if own, ok := c.specials[key]; ok {
		return own
	}
	return c.weeks[(weekday(key)+6)%7]
}

// pairs reports ranges as written that overlap an earlier one, each once
// (for all the days of mon-fri; and a range pasted a thousand times gives
// a thousand problems, not half a million);
// with among set, only the pairs of which one span is among it.
func (c *compiler) pairs(spans []span, among map[*source]bool, reported map[int]bool) {
	slices.SortStableFunc(spans, func(a, b span) int { return a.start - b.start })
	for i, a := range spans {
		for _, b := range spans[i+1:] {
			if b.start >= a.end {
				break
			}
			first, second := a.src, b.src
			if first.order > second.order {
				first, second = second, first
			}
			if first == second || reported[second.origin] || among != nil && !among[first] && !among[second] {
				continue
			}
			reported[second.origin] = true
			if a.branch != b.branch {
				c.problem(second.ref, RuleConflict, fmt.Sprintf("%s overlaps %s, and an instant is in one branch only", second.text, first.text),
					"end one range where the other starts")
			} else {
				c.problem(second.ref, RuleOverlap, fmt.Sprintf("%s overlaps %s", second.text, first.text),
					"merge them into one range")
			}
		}
	}
}

// build precomputes the tables Branch reads.
func (c *compiler) build() {
	s := c.s
	for d, spans := range c.weeks {
		s.own[(d+1)%7] = paint(spans) // weeks are indexed from Monday
	}
	for key, spans := range c.specials {
		s.special[key] = paint(spans)
	}
	for wd := range s.week {
		s.week[wd] = combine(s.own[(wd+6)%7], s.own[wd])
	}
	s.dates = map[int64]day{}
	// Most dated days are alike (a holiday, the weekday after one): they
	// share their table, which keeps Compile with a calendar quick.
	closedDays := map[closure]day{}
	combined := map[[2]*[2 * minutesPerDay]uint8]day{}
	add := func(key int64) {
		for _, k := range []int64{key, key + 1} {
			if _, ok := s.dates[k]; ok {
				continue
			}
			prev, cur := s.ownOf(k-1), s.ownOf(k)
			if cur == nil { // closed all day
				c, ok := s.closures[k]
				if !ok {
					c = closure{branch: s.index(Holiday)}
				}
				c.name = ""
				if closedDays[c] == nil {
					closedDays[c] = s.compute(k)
				}
				s.dates[k] = closedDays[c]
				continue
			}
			pair := [2]*[2 * minutesPerDay]uint8{prev, cur}
			if combined[pair] == nil {
				combined[pair] = combine(prev, cur)
			}
			s.dates[k] = combined[pair]
		}
	}
	if s.cal != nil {
		s.holidays = s.cal.window()
		for key := range s.holidays {
			add(key)
		}
	}
	for key := range s.closures {
		add(key)
	}
	for key := range s.special {
		add(key)
	}
	s.br = c.reachable()
	s.desc = c.describe()
}

// paint is the branch of each minute from a day's 00:00 to the next day's
// 24:00 that spans starting on that day give.
func paint(spans []span) *[2 * minutesPerDay]uint8 {
	var m [2 * minutesPerDay]uint8
	for _, sp := range spans {
		for i := sp.start; i < sp.end; i++ {
			m[i] = sp.branch
		}
	}
	return &m
}

// reachable is the branches some table gives, in the order of names with
// Closed moved last.
func (c *compiler) reachable() []string {
	seen := make([]bool, len(c.s.names))
	mark := func(d day) {
		for _, sg := range d {
			seen[sg.branch] = true
		}
	}
	for _, d := range c.s.week {
		mark(d)
	}
	for _, d := range c.s.dates {
		mark(d)
	}
	var out []string
	for i, name := range c.s.names[1:] {
		if seen[i+1] {
			out = append(out, name)
		}
	}
	if seen[0] {
		out = append(out, Closed)
	}
	return out
}
