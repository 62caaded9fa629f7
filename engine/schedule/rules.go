package schedule

// Severity says whether a Problem stops a schedule from compiling.
type Severity int

// Severities, most severe first, as the engine orders its own.
const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Problem is one thing wrong with a Spec: at the Field whose Ref it gives
// (or the Spec's own), under a Rule, with a message and, where a fix is
// likely, a hint.
type Problem struct {
	Ref      int
	Severity Severity
	Rule     string
	Message  string
	Hint     string
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

// Rule is one kind of Problem: its name, how bad it is and what it reports.
type Rule struct {
	Name        string
	Severity    Severity
	Description string
}

var rules = []Rule{
	{RuleZone, Error, "a schedule names no time zone, Local, or a zone that is not in the IANA database"},
	{RuleSyntax, Error, "a schedule's days, times or branch name cannot be read"},
	{RuleEmptyRange, Error, "a time range starts where it ends (08:00-08:00), so it never holds"},
	{RuleConflict, Error, "ranges of two branches of a schedule hold at the same time, so which one holds is unclear"},
	{RuleOverlap, Warning, "two ranges of one branch of a schedule overlap (harmless, their union holds, but likely a typo)"},
	{RuleNeverOpen, Error, "a schedule has no weekly hours and no special hours, so it is never open"},
	{RuleDate, Error, "a schedule's date is not a real date written YYYY-MM-DD"},
	{RuleDuplicateDate, Error, "a schedule gives one date twice: closed twice, closed and with special hours, or one branch's special hours twice"},
	{RuleHolidays, Error, "a schedule names an unknown public-holiday calendar"},
}

// Rules is every rule Compile reports, for the engine's registry.
func Rules() []Rule { return append([]Rule(nil), rules...) }

func severityOf(rule string) Severity {
	for _, r := range rules {
		if r.Name == rule {
			return r.Severity
		}
	}
	return Error
}
