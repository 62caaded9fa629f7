package schedule_test

import (
	"fmt"
	"time"

	"github.com/ivrctl/ivrctl/engine/schedule"
)

func ExampleCompile() {
	s, problems := schedule.Compile(schedule.Spec{
		Zone: schedule.Field{Value: "America/New_York"},
		Weekly: []schedule.Weekly{
			{Branch: f("open"), Days: f("mon-fri"), Hours: f("08:00-12:00, 13:00-17:00")},
			{Branch: f("open"), Days: f("sat"), Hours: f("09:00-12:00")},
			{Branch: f("open"), Days: f("fri"), Hours: f("22:00-02:00")},
		},
		Closed:  []schedule.Closure{{Date: f("2026-12-25"), Name: f("Christmas Day")}},
		Special: []schedule.Special{{Date: f("2026-12-24"), Branch: f("open"), Hours: f("08:00-12:00")}},
	})
	if len(problems) > 0 {
		fmt.Println(problems)
		return
	}
	fmt.Println(s.Branches())
	for _, at := range []string{
		"2026-12-23T14:00:00Z", // Wednesday 09:00 in New York
		"2026-12-24T18:00:00Z", // Thursday 13:00, special hours end at noon
		"2026-12-25T15:00:00Z", // Christmas Day
		"2026-12-19T06:30:00Z", // Saturday 01:30, Friday night's range
	} {
		t, _ := time.Parse(time.RFC3339, at)
		fmt.Println(s.Explain(t))
	}
	fmt.Println(s.Describe())
	// Output:
	// [open holiday closed]
	// Wed 2026-12-23 09:00 EST: open (weekly hours)
	// Thu 2026-12-24 13:00 EST: closed (special hours of 2026-12-24)
	// Fri 2026-12-25 10:00 EST: holiday (closed: Christmas Day)
	// Sat 2026-12-19 01:30 EST: open (the day before's hours, past midnight)
	// time zone: America/New_York
	// open on mon-thu: 08:00-12:00, 13:00-17:00
	// open on fri: 08:00-12:00, 13:00-17:00, 22:00-02:00
	// open on sat: 09:00-12:00
	// closed on 2026-12-25: holiday (Christmas Day)
	// special hours on 2026-12-24: open 08:00-12:00
}

func f(v string) schedule.Field { return schedule.Field{Value: v} }
