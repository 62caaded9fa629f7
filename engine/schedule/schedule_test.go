package schedule

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func fv(v string) Field { return Field{Value: v} }

// shop is a week of opening hours in New York, with the dated cases the
// tests walk through.
func shop() Spec {
	return Spec{
		Zone: fv("America/New_York"),
		Weekly: []Weekly{
			{fv("open"), fv("mon-fri"), fv("08:00-12:00, 13:00-17:00")},
			{fv("open"), fv("sat"), fv("09:00-12:00")},
			{fv("open"), fv("fri"), fv("22:00-02:00")},
			{fv("night"), fv("sun"), fv("22:00-01:00")},
		},
		Closed: []Closure{
			{Date: fv("2026-12-25"), Name: fv("Christmas Day")},
			{Date: fv("2026-12-05"), Name: fv("Staff day"), Branch: fv("closed")},
		},
		Special: []Special{
			{fv("2026-12-24"), fv("open"), fv("08:00-12:00")},
			{fv("2026-12-12"), fv("open"), fv("10:00-11:00")},
			{fv("2026-12-31"), Field{}, fv("closed")},
			{fv("2026-12-19"), Field{}, fv("")},
		},
	}
}

func mustCompile(t testing.TB, spec Spec) *Schedule {
	t.Helper()
	s, problems := Compile(spec)
	if s == nil || len(problems) > 0 {
		t.Fatalf("Compile: %+v", problems)
	}
	return s
}

func utc(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// instant is an instant in UTC, the branch a schedule should give then,
// and why, in the schedule's local time.
type instant struct{ at, want, why string }

func checkBranches(t *testing.T, s *Schedule, instants []instant) {
	t.Helper()
	for _, c := range instants {
		if got := s.Branch(utc(t, c.at)); got != c.want {
			t.Errorf("Branch(%s) = %q, want %q (%s); %s", c.at, got, c.want, c.why, s.Explain(utc(t, c.at)))
		}
	}
}

func TestBranch(t *testing.T) {
	checkBranches(t, mustCompile(t, shop()), []instant{
		{"2026-12-02T13:00:00Z", "open", "Wednesday 08:00 EST, a range's first minute"},
		{"2026-12-02T12:59:59Z", "closed", "Wednesday 07:59:59, before it"},
		{"2026-12-02T17:00:00Z", "closed", "Wednesday 12:00, a range's end is not in it"},
		{"2026-12-02T18:30:00Z", "open", "Wednesday 13:30"},
		{"2026-12-05T03:00:00Z", "open", "Friday 22:00"},
		{"2026-12-12T06:59:00Z", "open", "Saturday 01:59, Friday's range past midnight"},
		{"2026-12-12T07:00:00Z", "closed", "Saturday 02:00, its end"},
		{"2026-12-05T06:00:00Z", "closed", "Saturday 01:00 on a closure naming closed: Friday's range stops at midnight"},
		{"2026-12-05T04:59:00Z", "open", "Friday 23:59 before that closure"},
		{"2026-12-25T15:00:00Z", "holiday", "Christmas Day, weekday hours"},
		{"2026-12-25T05:00:00Z", "holiday", "Christmas Day 00:00"},
		{"2026-12-26T06:00:00Z", "closed", "Saturday 01:00 after Christmas: a closed day's range does not run"},
		{"2026-12-26T15:00:00Z", "open", "Saturday 10:00 after Christmas"},
		{"2026-12-24T16:59:00Z", "open", "special hours, 11:59"},
		{"2026-12-24T18:30:00Z", "closed", "special hours replace the afternoon"},
		{"2026-12-12T14:30:00Z", "closed", "Saturday 09:30: special hours replace 09:00-12:00"},
		{"2026-12-12T15:30:00Z", "open", "Saturday 10:30 within the special hours"},
		{"2026-12-31T15:00:00Z", "closed", "special hours closed on a Thursday"},
		{"2026-12-19T06:00:00Z", "open", "Saturday 01:00 closed by special hours: Friday's range runs on"},
		{"2026-12-19T15:00:00Z", "closed", "Saturday 10:00 closed by special hours"},
		{"2026-12-07T03:30:00Z", "night", "Sunday 22:30"},
		{"2026-12-07T05:30:00Z", "night", "Monday 00:30: Sunday's range across the week's end"},
		{"2026-12-07T06:00:00Z", "closed", "Monday 01:00"},
	})
}

// TestBranchSpecialNight: a night range of special hours runs into the
// next, ordinary day, and last night's range into a day of special hours.
func TestBranchSpecialNight(t *testing.T) {
	spec := shop()
	spec.Special = append(spec.Special, Special{fv("2026-12-10"), fv("open"), fv("20:00-03:00")})
	s := mustCompile(t, spec)
	for at, want := range map[string]string{
		"2026-12-11T07:30:00Z": "open",   // Friday 02:30, from Thursday's special hours
		"2026-12-11T08:00:00Z": "closed", // Friday 03:00
		"2026-12-11T14:00:00Z": "open",   // Friday 09:00, its weekly hours
		"2026-12-12T06:00:00Z": "open",   // Saturday 2026-12-12 01:00, special hours, Friday night runs on
	} {
		if got := s.Branch(utc(t, at)); got != want {
			t.Errorf("Branch(%s) = %q, want %q; %s", at, got, want, s.Explain(utc(t, at)))
		}
	}
}

// TestDST walks the minutes of both days New York changes its clocks in
// 2026, with "open" from 00:00 to 01:30 and "skip" inside the hour that
// spring-forward leaves out.
func TestDST(t *testing.T) {
	s := mustCompile(t, Spec{Zone: fv("America/New_York"), Weekly: []Weekly{
		{fv("open"), fv("daily"), fv("00:00-01:30")},
		{fv("skip"), fv("daily"), fv("02:15-02:45")},
	}})
	count := func(from, to, branch string) int {
		n := 0
		for at := utc(t, from); at.Before(utc(t, to)); at = at.Add(time.Minute) {
			if s.Branch(at) == branch {
				n++
			}
		}
		return n
	}
	for _, c := range []struct {
		name, from, to, branch string
		want                   int
	}{
		{"an ordinary day", "2026-03-07T04:00:00Z", "2026-03-07T10:00:00Z", "open", 90},
		{"an ordinary day's 02:15-02:45", "2026-03-07T04:00:00Z", "2026-03-07T10:00:00Z", "skip", 30},
		{"spring forward", "2026-03-08T04:00:00Z", "2026-03-08T10:00:00Z", "open", 90},
		{"spring forward skips 02:00-03:00", "2026-03-08T04:00:00Z", "2026-03-08T10:00:00Z", "skip", 0},
		{"fall back repeats 01:00-01:30", "2026-11-01T03:00:00Z", "2026-11-01T09:00:00Z", "open", 120},
		{"fall back", "2026-11-01T03:00:00Z", "2026-11-01T09:00:00Z", "skip", 30},
	} {
		if got := count(c.from, c.to, c.branch); got != c.want {
			t.Errorf("%s: %d minutes %s, want %d", c.name, got, c.branch, c.want)
		}
	}
	for at, want := range map[string]string{
		"2026-03-08T06:59:00Z": "closed", // 01:59 EST
		"2026-03-08T07:00:00Z": "closed", // 03:00 EDT
		"2026-11-01T05:29:00Z": "open",   // 01:29 EDT
		"2026-11-01T05:30:00Z": "closed", // 01:30 EDT
		"2026-11-01T06:00:00Z": "open",   // 01:00 EST, the second time
		"2026-11-01T06:30:00Z": "closed", // 01:30 EST
	} {
		if got := s.Branch(utc(t, at)); got != want {
			t.Errorf("Branch(%s) = %q, want %q", at, got, want)
		}
	}
}

func TestHolidays(t *testing.T) {
	spec := shop()
	spec.Holidays = fv("US")
	spec.Special = append(spec.Special, Special{fv("2026-11-26"), fv("open"), fv("10:00-14:00")})
	s := mustCompile(t, spec)
	checkBranches(t, s, []instant{
		{"2026-07-03T14:00:00Z", "holiday", "Friday 10:00, Independence Day observed"},
		{"2026-07-04T14:00:00Z", "holiday", "Saturday 10:00, Independence Day"},
		{"2026-07-04T05:00:00Z", "holiday", "Saturday 01:00: the Friday before was a holiday too"},
		{"2026-07-06T14:00:00Z", "open", "Monday after"},
		{"2026-11-26T16:00:00Z", "open", "Thanksgiving 11:00: special hours beat the calendar"},
		{"2026-11-26T20:00:00Z", "closed", "Thanksgiving 15:00"},
		{"2026-12-25T15:00:00Z", "holiday", "a closure on a holiday"},
		{"2150-12-25T15:00:00Z", "holiday", "a year outside the precomputed ones"},
		{"2150-12-28T15:00:00Z", "open", "Monday 2150-12-28"},
		{"1990-12-25T15:00:00Z", "holiday", "a year before them"},
	})
	if got, want := s.Branches(), []string{"open", "night", "holiday", "closed"}; !slices.Equal(got, want) {
		t.Errorf("Branches = %q, want %q", got, want)
	}
}

// TestPrecomputed checks the tables Compile builds against the tables
// computed on demand, day by day across the precomputed years' ends.
func TestPrecomputed(t *testing.T) {
	spec := shop()
	spec.Holidays = fv("gb")
	s := mustCompile(t, spec)
	for _, span := range [][2]int64{{windowStart - 400, windowStart + 400}, {windowEnd - 400, windowEnd + 400}, {dateKey(2026, 1, 1), dateKey(2028, 1, 1)}} {
		for key := span[0]; key < span[1]; key++ {
			if got, want := s.dayOf(key), s.compute(key); !slices.Equal(got, want) {
				t.Fatalf("%s: table %v, computed %v", dateString(key), got, want)
			}
		}
	}
}

func TestBranches(t *testing.T) {
	for _, c := range []struct {
		name string
		spec Spec
		want []string
	}{
		{"always open", Spec{Zone: fv("UTC"), Weekly: []Weekly{{fv("open"), fv("daily"), fv("00:00-24:00")}}}, []string{"open"}},
		{"parts of the day", Spec{Zone: fv("UTC"), Weekly: []Weekly{
			{fv("evening"), fv("daily"), fv("18:00-00:00")},
			{fv("morning"), fv("daily"), fv("00:00-12:00")},
			{fv("afternoon"), fv("daily"), fv("12:00-18:00")},
		}}, []string{"evening", "morning", "afternoon"}},
		{"the shop", shop(), []string{"open", "night", "holiday", "closed"}},
	} {
		if got := mustCompile(t, c.spec).Branches(); !slices.Equal(got, c.want) {
			t.Errorf("%s: Branches = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestProblems(t *testing.T) {
	ok := Weekly{fv("open"), fv("mon-fri"), fv("09:00-17:00")}
	zone := fv("UTC")
	ref := func(v string, r int) Field { return Field{v, r} }
	for _, c := range []struct {
		name string
		spec Spec
		want string // rule, severity, ref and words the problem has
	}{
		{"typo in a zone", Spec{Zone: ref("America/New_Yrok", 7), Weekly: []Weekly{ok}}, `schedule-zone error 7 unknown time zone "America/New_Yrok"; did you mean "America/New_York"?`},
		{"zone without its region", Spec{Zone: ref("Paris", 7), Weekly: []Weekly{ok}}, `schedule-zone error 7 "Europe/Paris"`},
		{"no zone", Spec{Zone: ref("", 7), Weekly: []Weekly{ok}}, `schedule-zone error 7 names no time zone`},
		{"Local", Spec{Zone: ref("Local", 7), Weekly: []Weekly{ok}}, `schedule-zone error 7 "Local"`},
		{"bad day", Spec{Zone: zone, Weekly: []Weekly{{fv("open"), ref("mon-fry", 3), fv("09:00-17:00")}}}, `schedule-syntax error 3 "mon-fry" is not a day`},
		{"no days", Spec{Zone: zone, Weekly: []Weekly{ok, {fv("open"), ref(" ", 3), fv("09:00-17:00")}}}, `schedule-syntax error 3 no days`},
		{"bad time", Spec{Zone: zone, Weekly: []Weekly{{fv("open"), fv("sat"), ref("9am-5pm", 4)}}}, `schedule-syntax error 4 "9am" is not a time of day`},
		{"not a range", Spec{Zone: zone, Weekly: []Weekly{{fv("open"), fv("sat"), ref("09:00", 4)}}}, `schedule-syntax error 4 "09:00" is not a range`},
		{"25 o'clock", Spec{Zone: zone, Weekly: []Weekly{{fv("open"), fv("sat"), ref("09:00-25:00", 4)}}}, `schedule-syntax error 4 hours go from 00 to 23`},
		{"24:00 start", Spec{Zone: zone, Weekly: []Weekly{{fv("open"), fv("sat"), ref("24:00-02:00", 4)}}}, `schedule-syntax error 4 "24:00" can only end a range`},
		{"bad branch", Spec{Zone: zone, Weekly: []Weekly{{ref("open now", 2), fv("sat"), fv("09:00-17:00")}}}, `schedule-syntax error 2 branch name "open now"`},
		{"empty range", Spec{Zone: zone, Weekly: []Weekly{ok, {fv("open"), fv("sat"), ref("08:00-08:00", 5)}}}, `schedule-empty-range error 5 never holds`},
		{"two branches overlap", Spec{Zone: zone, Weekly: []Weekly{ok, {fv("lunch"), fv("wed"), ref("12:00-13:00", 5)}}}, `schedule-conflict error 5 lunch wed 12:00-13:00 overlaps open wed 09:00-17:00`},
		{"across midnight", Spec{Zone: zone, Weekly: []Weekly{{fv("late"), fv("fri"), ref("22:00-02:00", 4)}, {fv("early"), fv("sat"), ref("01:00-03:00", 5)}}}, `schedule-conflict error 5 early sat 01:00-03:00 overlaps late fri 22:00-02:00`},
		{"across the week's end", Spec{Zone: zone, Weekly: []Weekly{{fv("early"), fv("mon"), ref("00:00-03:00", 4)}, {fv("late"), fv("sun"), ref("23:00-01:00", 5)}}}, `schedule-conflict error 5 late sun 23:00-01:00 overlaps early mon 00:00-03:00`},
		{"one branch overlaps", Spec{Zone: zone, Weekly: []Weekly{{fv("open"), fv("mon"), ref("08:00-12:00, 11:00-17:00", 5)}}}, `schedule-overlap warning 5 open mon 11:00-17:00 overlaps open mon 08:00-12:00`},
		{"special hours overlap the night before", Spec{Zone: zone, Weekly: []Weekly{{fv("late"), fv("fri"), ref("22:00-02:00", 4)}},
			Special: []Special{{fv("2026-12-12"), fv("open"), ref("00:00-09:00", 6)}}}, `schedule-conflict error 6 open 2026-12-12 00:00-09:00 overlaps late fri 22:00-02:00`},
		{"never open", Spec{Ref: 1, Zone: zone, Closed: []Closure{{Date: fv("2026-12-25")}}}, `schedule-never-open error 1 never open`},
		{"only closed hours", Spec{Ref: 1, Zone: zone, Weekly: []Weekly{{fv("closed"), fv("daily"), fv("00:00-24:00")}}}, `schedule-never-open error 1 never open`},
		{"not a date", Spec{Zone: zone, Weekly: []Weekly{ok}, Closed: []Closure{{Date: ref("2026-02-30", 8)}}}, `schedule-date error 8 "2026-02-30" is not a date`},
		{"a special's date", Spec{Zone: zone, Weekly: []Weekly{ok}, Special: []Special{{ref("12/24", 8), fv("open"), fv("09:00-12:00")}}}, `schedule-date error 8 "12/24" is not a date`},
		{"closed twice", Spec{Zone: zone, Weekly: []Weekly{ok}, Closed: []Closure{{Date: fv("2026-12-25")}, {Date: ref("2026-12-25", 9)}}}, `schedule-duplicate-date error 9 2026-12-25 is closed twice`},
		{"closed and special", Spec{Zone: zone, Weekly: []Weekly{ok}, Closed: []Closure{{Date: fv("2026-12-25")}},
			Special: []Special{{ref("2026-12-25", 9), fv("open"), fv("09:00-12:00")}}}, `schedule-duplicate-date error 9 both a closed date and a date with special hours`},
		{"special twice", Spec{Zone: zone, Weekly: []Weekly{ok},
			Special: []Special{{fv("2026-12-24"), fv("open"), fv("09:00-12:00")}, {ref("2026-12-24", 9), fv("open"), fv("13:00-14:00")}}}, `schedule-duplicate-date error 9 special hours for open twice`},
		{"special closed and open", Spec{Zone: zone, Weekly: []Weekly{ok},
			Special: []Special{{fv("2026-12-24"), fv("open"), fv("09:00-12:00")}, {ref("2026-12-24", 9), Field{}, fv("closed")}}}, `schedule-duplicate-date error 9 special hours for closed twice, or is closed and has hours`},
		{"unknown calendar", Spec{Zone: zone, Weekly: []Weekly{ok}, Holidays: ref("usa", 10)}, `schedule-holidays error 10 unknown holiday calendar "usa"; did you mean "us"?`},
	} {
		_, problems := Compile(c.spec)
		var got []string
		found := false
		for _, p := range problems {
			severity := "error"
			if p.Warning {
				severity = "warning"
			}
			line := strings.Join([]string{p.Rule, severity, strconv.Itoa(p.Ref), p.Message + "; " + p.Hint}, " ")
			got = append(got, line)
			words := strings.SplitN(c.want, " ", 4)
			if p.Rule == words[0] && severity == words[1] && strconv.Itoa(p.Ref) == words[2] && strings.Contains(p.Message+"; "+p.Hint, words[3]) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: problems\n\t%s\nhave none like\n\t%s", c.name, strings.Join(got, "\n\t"), c.want)
		}
	}
}

// TestWarningsCompile: a schedule with warnings only still compiles.
func TestWarningsCompile(t *testing.T) {
	s, problems := Compile(Spec{Zone: fv("UTC"), Weekly: []Weekly{{fv("open"), fv("mon, wed"), fv("08:00-12:00, 11:00-17:00")}}})
	if s == nil || len(problems) != 1 {
		t.Fatalf("Compile = %v, %+v; want a schedule and one warning for both days", s, problems)
	}
	if got := s.Branch(utc(t, "2026-12-02T16:30:00Z")); got != "open" {
		t.Errorf("Wednesday 16:30: %q, want open", got)
	}
}

func TestZoneNamesLoad(t *testing.T) {
	for _, name := range zoneNames {
		if _, err := time.LoadLocation(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestRules(t *testing.T) {
	if len(Rules()) != 9 {
		t.Fatalf("%d rules", len(Rules()))
	}
	for _, r := range Rules() {
		if !strings.HasPrefix(r.Name, "schedule-") || r.Description == "" {
			t.Errorf("rule %+v", r)
		}
	}
}

func TestChanges(t *testing.T) {
	old := mustCompile(t, shop())
	spec := shop()
	spec.Zone = fv("America/Chicago")
	spec.Weekly[0].Hours = fv("08:00-12:00")
	spec.Weekly = spec.Weekly[:3]
	spec.Closed = spec.Closed[:1]
	spec.Closed[0].Name = fv("Christmas")
	spec.Special = append(spec.Special, Special{fv("2027-01-02"), fv("open"), fv("10:00-12:00")})
	spec.Holidays = fv("us")
	got := Changes(old, mustCompile(t, spec))
	want := []string{
		"time zone: America/New_York → America/Chicago",
		"public holidays: none → us",
		"open on mon: 08:00-12:00, 13:00-17:00 → 08:00-12:00",
		"open on tue: 08:00-12:00, 13:00-17:00 → 08:00-12:00",
		"open on wed: 08:00-12:00, 13:00-17:00 → 08:00-12:00",
		"open on thu: 08:00-12:00, 13:00-17:00 → 08:00-12:00",
		"open on fri: 08:00-12:00, 13:00-17:00, 22:00-02:00 → 08:00-12:00, 22:00-02:00",
		"closed on 2026-12-25: holiday (Christmas Day) → holiday (Christmas)",
		"special hours on 2027-01-02: none → open 10:00-12:00",
		"night on sun: 22:00-01:00 → closed",
		"closed on 2026-12-05: closed (Staff day) → none",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Changes:\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	if got := Changes(old, mustCompile(t, shop())); len(got) != 0 {
		t.Errorf("Changes of equal schedules: %q", got)
	}
}
