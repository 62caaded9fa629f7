package schedule

// Problem is one thing wrong with a Spec: at the Field whose Ref it gives
// (or the Spec's own), under a Rule, with a message and, where a fix is
// likely, a hint. A warning (its rule's Warning) leaves the schedule
// usable; any other Problem is an error.
type Problem struct {
	Ref     int
	Rule    string
	Warning bool
	Message string
	Hint    string
}

// The names of the rules Compile reports, as diagnostics show them.
const (
	RuleZone          = "schedule-zone"
	RuleSyntax        = "schedule-syntax"
	RuleEmptyRange    = "schedule-empty-range"
	RuleConflict      = "schedule-conflict"
	RuleOverlap       = "schedule-overlap"
	RuleNeverOpen     = "schedule-never-open"
	RuleDate          = "schedule-date"
	RuleDuplicateDate = "schedule-duplicate-date"
	RuleHolidays      = "schedule-holidays"
)

// Rule is one kind of Problem: its name, whether its problems are only
// warnings, and what it reports.
type Rule struct {
	Name        string
	Warning     bool
	Description string
}

var rules = []Rule{
	{RuleZone, false, "a schedule names no time zone, Local, or a zone that is not in the IANA database"},
	{RuleSyntax, false, "a schedule's days, times or branch name cannot be read"},
	{RuleEmptyRange, false, "a time range starts where it ends (08:00-08:00), so it never holds"},
	{RuleConflict, false, "ranges of two branches of a schedule hold at the same time, so which one holds is unclear"},
	{RuleOverlap, true, "two ranges of one branch of a schedule overlap (harmless, their union holds, but likely a typo)"},
	{RuleNeverOpen, false, "a schedule has no weekly hours and no special hours, so it is never open"},
	{RuleDate, false, "a schedule's date is not a real date written YYYY-MM-DD"},
	{RuleDuplicateDate, false, "a schedule gives one date twice: closed twice, closed and with special hours, or one branch's special hours twice"},
	{RuleHolidays, false, "a schedule names an unknown public-holiday calendar"},
}

// Rules is every rule Compile reports, for the engine's registry.
func Rules() []Rule { return append([]Rule(nil), rules...) }

func isWarning(rule string) bool {
	for _, r := range rules {
		if r.Name == rule {
			return r.Warning
		}
	}
	return false
}
