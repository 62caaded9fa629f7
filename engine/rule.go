package engine

import (
	"slices"
	"strings"
)

// Rule is a lint rule: one kind of problem Load reports, under a name that
// its diagnostics show in brackets and that a flow file can silence
// (see RuleIgnore).
type Rule struct {
	// Name is how diagnostics and the lint mapping of a flow file name the
	// rule.
	Name string
	// Severity is how bad the rule's diagnostics are. Only warnings can
	// be silenced. (An unset ${NAME}, an error, is a warning in lint mode:
	// see LoadOptions.Lint.)
	Severity Severity
	// Description says in one line what the rule reports.
	Description string
	// Example is a minimal flow file that breaks the rule.
	Example string
}

// rules are every rule Load reports, by name. Each rule's check lives
// where its name is declared: the parser's in parse.go, the compiler's in
// compile.go and vars.go, the rest in their rule_*.go files.
var rules = []Rule{
	{RuleAudio, SeverityError, "a menu's prompt ends with recorded audio, but 8x8 listens for keys while it speaks words",
		"start: main\nnodes:\n  main:\n    menu: [Press 1., {play: \"https://example.com/beep.mp3\"}]\n    keys: {\"1\": main}\n"},
	{RuleBranch, SeverityError, "a branch node cannot work: it looks at a value no node sets, or a case tests nothing, has no node, or has a number or pattern that does not parse",
		"start: route\nnodes:\n  route:\n    branch: status\n    cases: [{equals: shipped, to: bye}]\n    then: bye\n  bye:\n    say: Bye.\n"},
	{RuleBudget, SeverityError, "a no_input or invalid budget cannot work: retries out of 0 to 9, or set beside capture.tries",
		"start: main\nnodes:\n  main:\n    menu: Press 1.\n    keys: {\"1\": main}\n    no_input: {retries: 12}\n"},
	{RuleCallflow, SeverityError, "a compiled node breaks one of 8x8's rules for callflows, reported at the value that causes it",
		"start: main\nnodes:\n  main:\n    menu: Press 1.\n    capture: {min_digits: 3, max_digits: 2}\n    keys: {\"1\": main}\n"},
	{RuleCapture, SeverityError, "a menu key has more or fewer digits than the menu captures",
		"start: main\nnodes:\n  main:\n    menu: Press 1 or 12.\n    capture: {max_digits: 1}\n    keys: {\"1\": main, \"12\": main}\n"},
	{RuleCollect, SeverityError, "a collect node cannot work: its into is no value name, its check is unknown, or its pattern does not compile",
		"start: ask\nnodes:\n  ask:\n    collect: Enter your order number, then press pound.\n    into: order\n    check: luhnn\n    then: bye\n  bye:\n    say: Bye.\n"},
	{RuleDTMF, SeverityError, "a menu key is not made of the DTMF keys 0-9, * and #",
		"start: main\nnodes:\n  main:\n    menu: Press A.\n    keys: {A: main}\n"},
	{RuleDuplicateKey, SeverityError, "a key appears twice in one mapping",
		"start: main\nstart: main\nnodes:\n  main:\n    say: Hello.\n"},
	{RuleEmpty, SeverityError, "a text, voice or dial number is empty",
		"start: main\nnodes:\n  main:\n    say: \"\"\n"},
	{RuleEnv, SeverityError, "an ${NAME} is unset and has no default, is badly named, or is used outside vars",
		"start: main\nvars:\n  desk: ${IVRCTL_EXAMPLE_UNSET}\nnodes:\n  main:\n    say: Call {{desk}}.\n"},
	{RuleFallback, SeverityError, "the fallback names no node, or a node that is not a say node",
		"start: main\nfallback: main\nnodes:\n  main:\n    menu: Press 1.\n    keys: {\"1\": main}\n"},
	{RuleFallbackLanguage, SeverityWarning, "a flow with languages has no fallback of its own, so callers in every language hear the built-in English one",
		"languages: {en: en-US-JennyNeural, es: es-MX-DaliaNeural}\nstart: main\nnodes:\n  main:\n    menu: {en: Press 1., es: Oprima 2.}\n    keys: {\"1\": {to: bye, lang: en}, \"2\": {to: bye, lang: es}}\n  bye:\n    say: {en: Bye., es: Adiós.}\n"},
	{RuleHashKey, SeverityWarning, "a menu key holds #, which a menu with complete_on_hash: true takes as the end of the entry, so no caller can press it (a warning, as an unreachable node is: the flow serves, but the key is dead)",
		"start: main\nnodes:\n  main:\n    menu: Enter your order number, then press pound. Press 1 for help.\n    capture: {max_digits: 6, complete_on_hash: true}\n    keys: {\"1\": main, \"#\": main}\n"},
	{RuleHotkey, SeverityError, "a hotkey is not a DTMF key or does nothing, or clashes with a menu's own key",
		"start: main\ndefaults:\n  hotkeys: {\"0\": bye}\nnodes:\n  main:\n    menu: Press 0 for sales.\n    keys: {\"0\": bye}\n  bye:\n    say: Bye.\n"},
	{RuleIgnore, SeverityError, "a lint ignore names an unknown rule, or a rule whose problems are errors",
		"lint: {ignore: [unreachabel]}\nstart: main\nnodes:\n  main:\n    say: Hello.\n"},
	{RuleLanguage, SeverityError, "a language tag is not one, or not one the flow declares; a language has no voice; a voice is set where each language's voice speaks",
		"languages: {en: en-US-JennyNeural}\nstart: main\nnodes:\n  main:\n    say: {en: Hello., fr: Bonjour.}\n"},
	{RuleLanguageMissing, SeverityWarning, "a text lacks one of the flow's languages, or is the same in all of them, so callers in one hear words not in their language",
		"languages: {en: en-US-JennyNeural, es: es-MX-DaliaNeural}\nfallback: bye\nstart: main\nnodes:\n  main:\n    menu: {en: Press 1., es: Oprima 2.}\n    keys: {\"1\": {to: bye, lang: en}, \"2\": {to: bye, lang: es}}\n  bye:\n    say: {en: Bye.}\n"},
	{RuleLanguageUnused, SeverityWarning, "no menu key chooses a language the flow declares, so no caller hears it",
		"languages: {en: en-US-JennyNeural, es: es-MX-DaliaNeural}\nfallback: bye\nstart: bye\nnodes:\n  bye:\n    say: {en: Bye., es: Adiós.}\n"},
	{RuleLoop, SeverityError, "nodes that never ask the caller anything (dials, messages that continue) lead to one another in a loop",
		"start: a\nnodes:\n  a:\n    dial: {to: \"+6598888888\", from: \"+6568888888\"}\n    then: a\n"},
	{RuleMissingKey, SeverityError, "a required key is missing",
		"nodes:\n  main:\n    say: Hello.\n"},
	{RuleNoExit, SeverityWarning, "no say node can be reached from a node, so a caller there can only hang up",
		"start: main\nnodes:\n  main:\n    menu: Press 1.\n    keys: {\"1\": main}\n    on_invalid: main\n"},
	{RuleNoKeys, SeverityError, "a menu has no keys",
		"start: main\nnodes:\n  main:\n    menu: Hello.\n"},
	{RuleNodeID, SeverityError, "a node ID is not 1 to 64 letters, digits, _ and -",
		"start: main menu\nnodes:\n  main menu:\n    say: Hello.\n"},
	{RuleNodeKind, SeverityError, "a node has none, or more than one, of menu, say, dial, schedule, collect, set, branch, switch and request",
		"start: main\nnodes:\n  main:\n    voice: en-US-BenjaminRUS\n"},
	{RulePromptKey, SeverityWarning, "a menu's prompt tells the caller to press a key the menu does not have",
		"start: main\nnodes:\n  main:\n    menu: Press 1 for sales, press 2 for support.\n    keys: {\"1\": bye}\n  bye:\n    say: Bye.\n"},
	{RuleRequest, SeverityError, "a request node cannot work: a method, URL, deadline or saved path it cannot use, a call's value in the URL's host, or a result with no node",
		"start: lookup\nnodes:\n  lookup:\n    request: {url: \"ftp://orders.example.com\"}\n    then: bye\n  bye:\n    say: Bye.\n"},
	{RuleSchedule, SeverityError, "a schedule cannot work: an unknown zone, unreadable days or hours, an empty range, branches that hold at once, a bad or repeated date, an unknown holiday calendar, hours never open, or a branch with no node",
		"start: hours\nnodes:\n  hours:\n    schedule: {zone: America/New_Yrok, weekly: {open: {mon-fri: \"09:00-17:00\"}}}\n    then: bye\n  bye:\n    say: Bye.\n"},
	{RuleScheduleOverlap, SeverityWarning, "two ranges of one branch of a schedule overlap: the hours are their union, but one is likely a typo",
		"start: hours\nnodes:\n  hours:\n    schedule: {zone: UTC, weekly: {open: {mon-fri: \"09:00-17:00\", mon: \"16:00-18:00\"}}}\n    then: bye\n  bye:\n    say: Bye.\n"},
	{RuleStart, SeverityError, "start names no node",
		"start: mian\nnodes:\n  main:\n    say: Hello.\n"},
	{RuleStateSize, SeverityError, "a call's state could make a clientActionId longer than the flow's state_budget (256 by default)",
		"start: m1\nstate_budget: 16\ndefaults:\n  hotkeys: {\"*\": back}\nnodes:\n  m1:\n    menu: Press 1.\n    keys: {\"1\": m2}\n  m2:\n    menu: Press 1.\n    keys: {\"1\": m1}\n"},
	{RuleSwitch, SeverityError, "a switch cannot work: a bad name or default, a switch node that reads an undeclared switch, or one with no node for on or off",
		"switches: {outage_banner: off}\nstart: check\nnodes:\n  check:\n    switch: outage_baner\n    on: bye\n    off: bye\n  bye:\n    say: Bye.\n"},
	{RuleSwitchUnused, SeverityWarning, "a switch is declared but no switch node reads it, so flipping it changes nothing",
		"switches: {outage_banner: off}\nstart: bye\nnodes:\n  bye:\n    say: Bye.\n"},
	{RuleSyntax, SeverityError, "the file is not valid YAML, or holds more than one document",
		"start: main\nnodes:\n  main:\n    say: \"Hello.\n"},
	{RuleType, SeverityError, "a value is not of the kind its key takes: a mapping, a list or a single value",
		"start: main\nnodes:\n  - main\n"},
	{RuleRef, SeverityError, "a key, on_invalid, on_no_input or then names no node",
		"start: main\nnodes:\n  main:\n    menu: Press 1.\n    keys: {\"1\": nowhere}\n"},
	{RuleUnknownKey, SeverityError, "a mapping has a key the flow language does not know",
		"start: main\nnodes:\n  main:\n    say: Hello.\n    vocie: en-GB-Emma\n"},
	{RuleUnmentionedKey, SeverityWarning, "a menu has a key its prompt never mentions, which no caller will know to press",
		"start: main\nnodes:\n  main:\n    menu: Press 1 for sales.\n    keys: {\"1\": bye, \"2\": bye}\n  bye:\n    say: Bye.\n"},
	{RuleUnreachable, SeverityWarning, "no caller can reach a node from start",
		"start: main\nnodes:\n  main:\n    say: Hello.\n  old:\n    say: Bye.\n"},
	{RuleUnusedIgnore, SeverityWarning, "a lint ignore silences nothing, so it can go",
		"lint: {ignore: [unreachable]}\nstart: main\nnodes:\n  main:\n    say: Hello.\n"},
	{RuleValue, SeverityError, "a setting has a value it cannot take, such as a speed of 0 or a timeout of 1.5ms",
		"start: main\nnodes:\n  main:\n    say: Hello.\n    speed: fast\n"},
	{RuleVar, SeverityError, "a {{name}} names no var, or a var's name is not letters, digits and _",
		"start: main\nnodes:\n  main:\n    say: Welcome to {{shop}}.\n"},
	{RuleVersion, SeverityError, "the file is written in a version of the flow language this ivrctl cannot read",
		"version: 2\nstart: main\nnodes:\n  main:\n    say: Hello.\n"},
	{RuleVoice, SeverityError, "a voice is not one of the 8x8 sub-account's speech profiles (lint --voices)",
		"start: main\nnodes:\n  main:\n    say: Hello.\n    voice: en-GB-Emmma\n"},
}

// Rules returns every rule Load can report, sorted by name.
func Rules() []Rule { return slices.Clone(rules) }

// LookupRule returns the rule with the given name.
func LookupRule(name string) (Rule, bool) {
	i, ok := slices.BinarySearchFunc(rules, name, func(r Rule, name string) int { return strings.Compare(r.Name, name) })
	if !ok {
		return Rule{}, false
	}
	return rules[i], true
}

// ruleNames returns the names of the rules, for a "did you mean".
func ruleNames() []string {
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = r.Name
	}
	return names
}
