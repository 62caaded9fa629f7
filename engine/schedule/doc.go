// Package schedule decides which branch of a schedule node (open, closed,
// holiday; or morning, afternoon, evening...) holds at an instant: weekly
// opening hours in a named IANA time zone, dated closures, special hours
// on given dates and, optionally, a country's public holidays.
//
// The package is pure and self-contained: the engine parses the flow file
// and hands Compile each value as written (a Field, with the caller's
// handle for its position); Compile checks everything, reports what is
// wrong as Problems, and precomputes tables so that Schedule.Branch, run
// for every webhook, is a map lookup and a short scan. A Schedule never
// changes after Compile, so it is shared across goroutines without locks.
//
// # Zone
//
// Zone is an IANA name (America/New_York, Europe/Paris, UTC), loaded
// through time.LoadLocation. The tzdata is embedded in the binary (this
// package imports time/tzdata), so a machine without /usr/share/zoneinfo
// reads schedules the same way. "Local" is refused: a schedule must not
// change with the machine that serves it. An unknown zone is an error,
// with the closest real names as a hint.
//
// # Weekly hours
//
// Each Weekly gives a branch, days and hours. Days are mon, tue, wed, thu,
// fri, sat, sun (or their full names, any case), ranges of them (mon-fri;
// fri-mon wraps round the week end), lists (mon, wed, fri) and daily.
// Hours are comma-separated ranges of 24-hour wall-clock times, H:MM or
// HH:MM: "08:00-12:00, 13:00-17:00". A range holds from its start up to,
// not including, its end, to the minute. 24:00 may end a range, and so
// may 00:00 (both mean midnight). A range whose end is before its start
// runs past midnight: "fri 22:00-02:00" holds from Friday 22:00 to
// Saturday 02:00, and "sun 22:00-02:00" into Monday. A range belongs to
// the day it starts on. "closed" (or nothing) means no hours.
//
// At an instant that no range holds, the branch is "closed".
//
// # Dates
//
// Closed dates (Closure) give their branch ("holiday" unless another is
// named) for the whole local day, 00:00 to 24:00. Special hours (Special)
// replace the weekly ranges that start on their date: a date with special
// hours has only those; "closed" or an empty value closes it (branch
// "closed"). Several Specials of one date with different branches add up.
//
// Precedence, from strongest: a closed date in the file, special hours in
// the file, a public holiday of the calendar, the weekly hours. So special
// hours on a public holiday open it, and a closure wins everywhere.
//
// A range that runs past midnight ends at midnight when the next day is
// closed (a closure or a public holiday covers its whole day, the small
// hours too). Into a day with special hours it runs on: special hours
// replace the ranges that start on their date, not the end of last night's.
// A closed day's own ranges do not run, so they do not spill into the next.
//
// # Public holidays
//
// Holidays names a country by its ISO 3166 code (us, ca, gb, ie, de, fr,
// es, it, nl, be, ch, at, nz, mx, br; see Calendars), whose national
// public holidays, from github.com/rickar/cal/v2, give the branch
// "holiday". Both the day a holiday falls on and the weekday it is
// observed on when it falls on a weekend are holidays. Regional holidays
// are not included: list them as closed dates.
//
// # Daylight saving time
//
// Ranges are local wall-clock times, read on the clock an instant shows in
// the zone. On the spring-forward day (America/New_York, 2026-03-08) the
// clock skips from 02:00 to 03:00: a range within the missing hour never
// holds, and "01:00-03:00" lasts one real hour. On the fall-back day
// (2026-11-01) the clock shows 01:00-02:00 twice: a range holding at
// 01:15 holds both times, so "00:00-01:30" holds from 00:00 to 01:30 and
// again from the second 01:00 to 01:30, two real hours in all. Ranges
// that run past midnight and weekly days follow the local date the same
// way.
//
// # Problems
//
// Compile reports, each under a rule of Rules: an unknown zone
// (schedule-zone), bad day or time syntax and bad branch names
// (schedule-syntax), an empty range such as 08:00-08:00
// (schedule-empty-range), ranges of two branches that overlap
// (schedule-conflict, an error: an instant has one branch), ranges of one
// branch that overlap (schedule-overlap, a warning: the answer is still
// clear, their union, but one of them is likely a typo), a schedule that is
// never open (schedule-never-open), a date that is not a real one
// (schedule-date), a date given twice (schedule-duplicate-date) and an
// unknown holiday calendar (schedule-holidays). Compile returns a nil
// Schedule when any Problem is an error.
package schedule

//go:generate go run gen_zones.go
