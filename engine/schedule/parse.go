package schedule

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ivrctl/ivrctl/engine/internal/yamlwalk"
)

// dayNames are the short day names, from Monday, as a week of the
// compiler is indexed.
var dayNames = [7]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

var longDayNames = [7]string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// dayIndex is the index in dayNames of a day written short or long, any
// case.
func dayIndex(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i := range dayNames {
		if s == dayNames[i] || s == longDayNames[i] {
			return i, true
		}
	}
	return 0, false
}

// parseDays reads "mon-fri", "fri-mon", "mon, wed", "daily" into a set of
// days, bit i for dayNames[i].
func parseDays(s string) (uint8, error) {
	if strings.TrimSpace(s) == "" {
		return 0, errors.New("no days given")
	}
	var set uint8
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if strings.EqualFold(item, "daily") {
			set = 1<<7 - 1
			continue
		}
		from, to, isRange := strings.Cut(item, "-")
		first, ok1 := dayIndex(from)
		last, ok2 := first, true
		if isRange {
			last, ok2 = dayIndex(to)
		}
		if !ok1 || !ok2 {
			return 0, fmt.Errorf("%q is not a day, a range of days such as mon-fri, or daily", item)
		}
		for d := first; ; d = (d + 1) % 7 {
			set |= 1 << d
			if d == last {
				break
			}
		}
	}
	return set, nil
}

// errEmptyRange is parseHours' answer to a range that starts where it
// ends.
var errEmptyRange = errors.New("empty range")

// parseHours reads "08:00-12:00, 22:00-02:00" into ranges in minutes from
// the 00:00 of the day they start on; a range that runs past midnight ends
// after minutesPerDay. "closed" and "" are no ranges.
func parseHours(s string) ([][2]int, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, Closed) {
		return nil, nil
	}
	var out [][2]int
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		from, to, ok := strings.Cut(item, "-")
		if !ok {
			from, to, ok = strings.Cut(item, "–") // an en dash, as typographers write ranges
		}
		if !ok {
			return nil, fmt.Errorf("%q is not a range of times such as 08:00-12:00", item)
		}
		start, err := parseClock(from, false)
		if err != nil {
			return nil, err
		}
		end, err := parseClock(to, true)
		if err != nil {
			return nil, err
		}
		switch {
		case start == end:
			return nil, errEmptyRange
		case end == 0:
			end = minutesPerDay
		case end < start:
			end += minutesPerDay
		}
		out = append(out, [2]int{start, end})
	}
	slices.SortFunc(out, func(a, b [2]int) int { return a[0] - b[0] })
	return out, nil
}

// parseClock reads H:MM or HH:MM, 00:00 to 23:59, and 24:00 as an end.
func parseClock(s string, end bool) (int, error) {
	s = strings.TrimSpace(s)
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 || !digits(h) || !digits(m) {
		return 0, fmt.Errorf("%q is not a time of day such as 08:00 or 17:30", s)
	}
	hour, _ := strconv.Atoi(h)
	minute, _ := strconv.Atoi(m)
	switch {
	case hour == 24 && minute == 0 && end:
		return minutesPerDay, nil
	case hour == 24 && minute == 0:
		return 0, fmt.Errorf("%q can only end a range; write 00:00 to start one at midnight", s)
	case hour > 23 || minute > 59:
		return 0, fmt.Errorf("%q is not a time of day: hours go from 00 to 23, minutes from 00 to 59", s)
	}
	return hour*60 + minute, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// clockRange writes a range of minutes as HH:MM-HH:MM, a range that runs
// past midnight with its end on the next day's clock.
func clockRange(start, end int) string {
	return clock(start) + "-" + clock(end)
}

func clock(m int) string {
	if m > minutesPerDay {
		m -= minutesPerDay
	}
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// didYouMean is a hint for a name that is not among names: the name
// written in another case, a time zone's city without its region
// ("Paris"), or the closest name within a small edit distance; "" when
// none is close.
func didYouMean(name string, names []string) string {
	if len(name) > 64 { // no real name is that long; spare the edit distance
		return ""
	}
	for _, n := range names {
		if strings.EqualFold(n, name) || strings.HasSuffix(strings.ToLower(n), "/"+strings.ToLower(name)) {
			return fmt.Sprintf("did you mean %q?", n)
		}
	}
	return yamlwalk.Suggest(name, names)
}
