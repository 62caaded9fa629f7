package callflows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Context says which rules a callflow is held to: an initial Send Callflow
// request must start with makeCall; an answer to a VCA webhook need not.
type Context int

// The contexts a callflow is sent in.
const (
	// Initial is the callflow of a Send Callflow request.
	Initial Context = iota
	// Answer is the callflow of an answer to a VCA webhook.
	Answer
)

func (c Context) String() string {
	if c == Initial {
		return "initial request"
	}
	return "VCA answer"
}

// Problem is one rule of 8x8's that a callflow breaks.
type Problem struct {
	// Code is the statusCode 8x8 answers such a callflow with, e.g. -1003.
	Code int
	// Path is the JSON path of the offending value, as 8x8 writes it:
	// $.callflow[1].params.maxDigits.
	Path string
	// Message says what is wrong in plain words.
	Message string
}

func (p *Problem) Error() string {
	return fmt.Sprintf("%s: %s (8x8 status %d)", p.Path, p.Message, p.Code)
}

// Problems is the list of problems Validate finds, in callflow order.
type Problems []*Problem

func (ps Problems) Error() string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Error()
	}
	return strings.Join(msgs, "\n")
}

// Err returns ps as an error, or nil when it is empty.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// 8x8 status codes of a rejected callflow, from the Voice Status Codes page
// (developer.8x8.com/connect/docs/voice/error-codes/voice-status-codes).
// Codes the validator cannot decide locally are left out: -1004 belongs to
// the retired v1.1 API, -1011's trigger is unpublished, -1014 needs the
// sub-account's caller IDs, -1015 the clock, -1018 to -1020 the
// account-gated executeScenario action.
const (
	// StatusInvalidJSON is for a body that is not JSON, or not a JSON
	// object, or a top-level field that cannot be read.
	StatusInvalidJSON = -1001
	// StatusInvalidVoiceProfile is for a voiceProfile that names no
	// speech profile.
	StatusInvalidVoiceProfile = -1002
	// StatusMaxDigitsRequired is for a minDigits without a valid maxDigits.
	StatusMaxDigitsRequired = -1003
	// StatusOverallTimeoutRequired is for a digitTimeout without an
	// overallTimeout.
	StatusOverallTimeoutRequired = -1005
	// StatusOverallTimeoutTooShort is for an overallTimeout shorter than
	// the digitTimeout.
	StatusOverallTimeoutTooShort = -1006
	// StatusInvalidAction is for an action name that is not one of the
	// five.
	StatusInvalidAction = -1007
	// StatusCompleteOnHashMaxDigits is for a completeOnHash false without
	// a maxDigits from 1 to 25.
	StatusCompleteOnHashMaxDigits = -1008
	// StatusInvalidEntry is for a callflow entry that breaks the request
	// schema: a missing or mistyped parameter, a value out of range.
	StatusInvalidEntry = -1009
	// StatusTooManyActions is for more actions of a kind than allowed.
	StatusTooManyActions = -1010
	// StatusHangupMisuse is 8x8's "Incorrect use of action Hangup", which
	// this package also gives for actions after a sayAndCapture.
	StatusHangupMisuse = -1012
	// StatusFirstNotMakeCall is for an initial request that does not start
	// with makeCall.
	StatusFirstNotMakeCall = -1013
	// StatusInvalidCharacters is for a text holding characters 8x8 refuses.
	StatusInvalidCharacters = -1016
	// StatusInvalidMSISDN is for a phone number not in E.164 form.
	StatusInvalidMSISDN = -1017
)

// Limits of 8x8's callflow parameters and where they are documented. OAS
// is the Send Callflow schema (docs_oas/connect/voice_v1_api.json in
// 8x8Cloud/public-developer-docs); call-action-handling is the IVR Call
// Action Handling page.
const (
	// MaxTextLength is the most characters a spoken text may have: OAS,
	// description of say text and sayAndCapture promptMessage. The
	// validator holds successMessage and failureMessage to it too, as they
	// go to the same text-to-speech. Characters are counted as Unicode code
	// points (runes), never more than UTF-16 units or bytes, so that no
	// text 8x8 takes is refused: a Java String.length() counts an emoji as
	// two.
	MaxTextLength = 3000

	// MinRepetition and MaxRepetition bound repetition of say and playFile:
	// OAS (accepted values 1, 2 or 3) and call-action-handling (max 3).
	// sayAndCapture is held to them when it carries one, as 8x8's samples
	// and observed clients do.
	MinRepetition = 1
	MaxRepetition = 3

	// MinSpeed and MaxSpeed bound speed, inclusive: call-action-handling
	// (minimum 0.5, maximum 2.0) and OAS (0.5 - 2).
	MinSpeed = 0.5
	MaxSpeed = 2.0

	// MinCaptureDigits is the least minDigits and maxDigits: OAS, minimum 1.
	MinCaptureDigits = 1
	// MaxCaptureDigits is the most maxDigits: call-action-handling, which
	// asks for maxDigits above 0 and below 26 when completeOnHash is false
	// and gives 25 as its default. The validator applies it in any case.
	MaxCaptureDigits = 25

	// MinTimeout is the least digitTimeout and overallTimeout, in
	// milliseconds: OAS, minimum 1.
	MinTimeout = 1

	// MinTries is the least noOfTries: OAS, minimum 1.
	MinTries = 1

	// MaxMakeCalls is the most makeCall actions in one callflow: OAS
	// makeCall description and the Voice Messaging guide (no conferencing,
	// the second call is bridged to the first).
	MaxMakeCalls = 2

	// MaxSayParams is the most properties a say's params may have: OAS,
	// maxProperties 5. MaxSayFields is the most a say action object may
	// have: OAS, maxProperties 3. The OAS also gives makeCall params
	// maxProperties 2, which is not enforced: call-action-handling
	// documents a third, callRecording.
	MaxSayParams = 5
	MaxSayFields = 3

	// MinE164Digits and MaxE164Digits bound the digits of a phone number.
	// 8x8 asks for E.164 with an optional + (Voice Messaging guide,
	// makeCall); ITU-T E.164 allows at most 15 digits, country code
	// included. E.164 sets no minimum; 7 lets through the shortest
	// numbers in service, such as Niue's (+683 and four digits).
	MinE164Digits = 7
	MaxE164Digits = 15
)

// validActions are the actions 8x8 accepts, in the order of its -1007
// message.
var validActions = []string{ActionMakeCall, ActionSay, ActionSayAndCapture, ActionPlayFile, ActionHangup}

// Validate checks a callflow against every rule the 8x8 documentation
// gives for the context it is sent in.
func Validate(cf Callflow, ctx Context) Problems {
	body, err := json.Marshal(struct {
		Callflow Callflow `json:"callflow"`
	}{cf})
	if err != nil {
		return Problems{{Code: StatusInvalidJSON, Path: "$.callflow", Message: err.Error()}}
	}
	return ValidateJSON(body, ctx)
}

// ValidateJSON checks a JSON body holding a "callflow" array (a Send
// Callflow request or a VCA answer) as 8x8 would, including what typed
// values cannot express: unknown action names, missing or mistyped
// parameters. It reports every problem it finds, in callflow order.
//
// A body that is not JSON or not an object is -1001; a missing, mistyped
// or empty callflow array is -1009, as 8x8 gives for an entry that breaks
// the request schema. Unknown parameters are not reported (the schema
// does not forbid them), except beyond a say's maxProperties.
func ValidateJSON(body []byte, ctx Context) Problems {
	v := &validator{ctx: ctx}
	v.body(body)
	return v.ps
}

// IsE164 reports whether s is a phone number as 8x8 takes it: an optional
// +, then MinE164Digits to MaxE164Digits digits, the first not 0 (no
// country code starts with 0). Spaces, dashes and brackets are refused.
func IsE164(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if len(s) < MinE164Digits || len(s) > MaxE164Digits || s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// voiceProfilePattern is the form of every speech profile code 8x8
// publishes (en-US-BenjaminRUS, en-US-Neural2-C, zh-CN-Yaoyao-Apollo,
// da-DK-Naja): a locale, then a voice name of letters and digits in
// hyphen-separated parts. The locale is a language of two lowercase
// letters, or three as BCP 47 allows and some Google and Azure voice
// names use (cmn-CN); an optional script (sr-Latn-RS); and a region of
// two uppercase letters. The wider locale keeps from refusing a profile
// 8x8 may offer; its speech profiles API has the final word.
var voiceProfilePattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z][a-z]{3})?-[A-Z]{2}-[A-Za-z0-9]+(-[A-Za-z0-9]+)*$`)

// IsVoiceProfile reports whether s has the form of an 8x8 speech profile
// code, such as en-US-BenjaminRUS. Whether the sub-account offers it is
// for the speech profiles API to say.
func IsVoiceProfile(s string) bool {
	return voiceProfilePattern.MatchString(s)
}

// validator collects the problems of one body.
type validator struct {
	ctx Context
	ps  Problems
}

func (v *validator) add(code int, path, format string, args ...any) {
	v.ps = append(v.ps, &Problem{Code: code, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) body(body []byte) {
	body = bytes.TrimSpace(body)
	if !json.Valid(body) {
		var x any
		err := json.Unmarshal(body, &x)
		msg := "body is not valid JSON"
		if err != nil {
			msg += ": " + err.Error()
		}
		v.add(StatusInvalidJSON, "$", "%s", msg)
		return
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		v.add(StatusInvalidJSON, "$", "body is %s, expected a JSON object", jsonKind(body))
		return
	}
	// validUntil and clientActionId are read into typed fields; a value of
	// the wrong type fails that decoding, which 8x8 answers with -1001.
	if raw, ok := top["validUntil"]; ok && !isJSONNull(raw) {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			v.add(StatusInvalidJSON, "$.validUntil", "validUntil is %s, expected a string", jsonKind(raw))
		} else if _, err := time.Parse(time.RFC3339, s); err != nil {
			v.add(StatusInvalidJSON, "$.validUntil", "validUntil %q is not a UTC time like 2024-07-03T05:59:32.226Z", s)
		}
	}
	if raw, ok := top["clientActionId"]; ok && !isJSONNull(raw) && jsonKind(raw) != "a string" {
		v.add(StatusInvalidJSON, "$.clientActionId", "clientActionId is %s, expected a string", jsonKind(raw))
	}
	raw, ok := top["callflow"]
	if !ok {
		v.add(StatusInvalidEntry, "$.callflow", "callflow is missing but it is required")
		return
	}
	var entries []json.RawMessage
	if isJSONNull(raw) || json.Unmarshal(raw, &entries) != nil {
		v.add(StatusInvalidEntry, "$.callflow", "callflow is %s, expected an array of actions", jsonKind(raw))
		return
	}
	if len(entries) == 0 {
		v.add(StatusInvalidEntry, "$.callflow", "callflow is empty, it needs at least one action")
		return
	}
	makeCalls := 0
	for i, e := range entries {
		v.action(i, len(entries), e, &makeCalls)
	}
}

// action checks entry i of a callflow of n entries.
func (v *validator) action(i, n int, raw json.RawMessage, makeCalls *int) {
	at := fmt.Sprintf("$.callflow[%d]", i)
	var obj map[string]json.RawMessage
	if isJSONNull(raw) || json.Unmarshal(raw, &obj) != nil {
		v.add(StatusInvalidEntry, at, "callflow[%d] is %s, expected an object with action and params", i, jsonKind(raw))
		return
	}
	nameRaw, ok := obj["action"]
	if !ok {
		v.add(StatusInvalidEntry, at+".action", "action is missing but it is required")
		return
	}
	var name string
	if isJSONNull(nameRaw) || json.Unmarshal(nameRaw, &name) != nil {
		v.add(StatusInvalidEntry, at+".action", "action is %s, expected a string", jsonKind(nameRaw))
		return
	}
	if !knownAction(name) {
		msg := fmt.Sprintf("action %q should be one of: %s", name, strings.Join(validActions, ", "))
		if s := suggestAction(name); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		v.add(StatusInvalidAction, at+".action", "%s", msg)
		return
	}

	if i == 0 && v.ctx == Initial && name != ActionMakeCall {
		v.add(StatusFirstNotMakeCall, at+".action", "the first action of a Send Callflow request must be makeCall, not %s", name)
	}
	if name == ActionMakeCall {
		*makeCalls++
		if *makeCalls > MaxMakeCalls {
			v.add(StatusTooManyActions, at+".action", "makeCall number %d is beyond the allowed count of %d per callflow", *makeCalls, MaxMakeCalls)
		}
	}
	// 8x8 publishes no rule behind -1012, "Incorrect use of action
	// Hangup". It is read here as: hangup ends the call, so no action may
	// follow it; and sayAndCapture hands the call back with its digits
	// through the VCA webhook, so it ends its callflow, and a hangup after
	// it is the incorrect use the code names. Any action after a
	// sayAndCapture is reported with the same code.
	if after := n - 1 - i; after > 0 && (name == ActionHangup || name == ActionSayAndCapture) {
		follow := "follow"
		if after == 1 {
			follow = "follows"
		}
		v.add(StatusHangupMisuse, at+".action", "%s must be the last action, but %s %s it", name, countOf(after, "action"), follow)
	}
	if name == ActionSay && len(obj) > MaxSayFields {
		v.add(StatusInvalidEntry, at, "say has %d fields, at most %d are accepted", len(obj), MaxSayFields)
	}
	if name == ActionHangup {
		return // hangup has no params; an empty or extra one is ignored
	}

	pRaw, ok := obj["params"]
	if !ok || isJSONNull(pRaw) {
		v.add(StatusInvalidEntry, at+".params", "params of %s is missing but it is required", name)
		return
	}
	p := paramSet{path: at + ".params"}
	if json.Unmarshal(pRaw, &p.raw) != nil {
		v.add(StatusInvalidEntry, p.path, "params of %s is %s, expected an object", name, jsonKind(pRaw))
		return
	}
	switch name {
	case ActionMakeCall:
		v.makeCall(p)
	case ActionSay:
		v.say(p)
	case ActionSayAndCapture:
		v.sayAndCapture(p)
	case ActionPlayFile:
		v.playFile(p)
	}
}

func (v *validator) makeCall(p paramSet) {
	source := v.param(p, "source", pkString, true)
	destination := v.param(p, "destination", pkString, true)
	v.param(p, "callRecording", pkBoolean, false)
	// 8x8 names only the destination in -1017's message; a source in the
	// wrong form is refused too (as -1017 or -1014), so it is reported the
	// same way.
	v.phone(p, "source", source)
	v.phone(p, "destination", destination)
}

func (v *validator) say(p paramSet) {
	text := v.param(p, "text", pkString, true)
	voice := v.param(p, "voiceProfile", pkString, true)
	repetition := v.param(p, "repetition", pkInteger, false)
	speed := v.param(p, "speed", pkNumber, false)
	v.text(p, "text", text)
	v.voice(p, voice)
	v.between(p, "repetition", repetition, MinRepetition, MaxRepetition, StatusInvalidEntry, "")
	v.between(p, "speed", speed, MinSpeed, MaxSpeed, StatusInvalidEntry, "")
	if len(p.raw) > MaxSayParams {
		v.add(StatusInvalidEntry, p.path, "params of say has %d properties, at most %d are accepted", len(p.raw), MaxSayParams)
	}
}

func (v *validator) sayAndCapture(p paramSet) {
	prompt := v.param(p, "promptMessage", pkString, true)
	voice := v.param(p, "voiceProfile", pkString, true)
	speed := v.param(p, "speed", pkNumber, false)
	minDigits := v.param(p, "minDigits", pkInteger, false)
	maxDigits := v.param(p, "maxDigits", pkInteger, false)
	digitTimeout := v.param(p, "digitTimeout", pkInteger, false)
	overallTimeout := v.param(p, "overallTimeout", pkInteger, false)
	completeOnHash := v.param(p, "completeOnHash", pkBoolean, false)
	tries := v.param(p, "noOfTries", pkInteger, false)
	success := v.param(p, "successMessage", pkString, false)
	failure := v.param(p, "failureMessage", pkString, false)
	repetition := v.param(p, "repetition", pkInteger, false)

	v.text(p, "promptMessage", prompt)
	v.voice(p, voice)
	v.between(p, "speed", speed, MinSpeed, MaxSpeed, StatusInvalidEntry, "")
	v.atLeast(p, "minDigits", minDigits, MinCaptureDigits)

	hashOff := completeOnHash.ok && !completeOnHash.b
	switch {
	case minDigits.present && !maxDigits.present:
		v.add(StatusMaxDigitsRequired, p.at("maxDigits"), "maxDigits is required when minDigits is given")
	case hashOff && !maxDigits.present:
		v.add(StatusCompleteOnHashMaxDigits, p.at("maxDigits"), "maxDigits is required when completeOnHash is false")
	case hashOff:
		v.between(p, "maxDigits", maxDigits, MinCaptureDigits, MaxCaptureDigits, StatusCompleteOnHashMaxDigits, ", as completeOnHash false requires")
	default:
		v.between(p, "maxDigits", maxDigits, MinCaptureDigits, MaxCaptureDigits, StatusInvalidEntry, "")
	}
	if minDigits.ok && maxDigits.ok && maxDigits.f < minDigits.f {
		v.add(StatusMaxDigitsRequired, p.at("maxDigits"), "maxDigits %s is less than minDigits %s", maxDigits.raw, minDigits.raw)
	}

	v.atLeast(p, "digitTimeout", digitTimeout, MinTimeout)
	v.atLeast(p, "overallTimeout", overallTimeout, MinTimeout)
	switch {
	case digitTimeout.present && !overallTimeout.present:
		v.add(StatusOverallTimeoutRequired, p.at("overallTimeout"), "overallTimeout is required when digitTimeout is given")
	// -1006 reads "OverallTimeout should be greater than digitTimeout", yet
	// every 8x8 sample sends the two equal (10000 and 10000), so equal
	// values pass and only a shorter overallTimeout is reported.
	case digitTimeout.ok && overallTimeout.ok && overallTimeout.f < digitTimeout.f:
		v.add(StatusOverallTimeoutTooShort, p.at("overallTimeout"), "overallTimeout %s is shorter than digitTimeout %s", overallTimeout.raw, digitTimeout.raw)
	}

	v.atLeast(p, "noOfTries", tries, MinTries)
	v.text(p, "successMessage", success)
	v.text(p, "failureMessage", failure)
	v.between(p, "repetition", repetition, MinRepetition, MaxRepetition, StatusInvalidEntry, "")
}

func (v *validator) playFile(p paramSet) {
	fileURL := v.param(p, "fileUrl", pkString, true)
	repetition := v.param(p, "repetition", pkInteger, false)
	if fileURL.ok {
		if why := fileURLProblem(fileURL.s); why != "" {
			v.add(StatusInvalidEntry, p.at("fileUrl"), "fileUrl %q %s", fileURL.s, why)
		}
	}
	v.between(p, "repetition", repetition, MinRepetition, MaxRepetition, StatusInvalidEntry, "")
}

// fileURLProblem says why s is not a file 8x8 can play, or "". OAS and
// call-action-handling: http or https, mp3 or wav. The format is judged by
// the extension of the URL's path, in any case; a query string may follow.
func fileURLProblem(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || !(strings.EqualFold(u.Scheme, "http") || strings.EqualFold(u.Scheme, "https")) {
		return "is not an http or https URL"
	}
	if ext := path.Ext(u.Path); !strings.EqualFold(ext, ".mp3") && !strings.EqualFold(ext, ".wav") {
		return "does not name an .mp3 or .wav file"
	}
	return ""
}

func (v *validator) phone(p paramSet, name string, x paramValue) {
	if x.ok && !IsE164(x.s) {
		v.add(StatusInvalidMSISDN, p.at(name), "%s %q is not an E.164 number: an optional + and %d to %d digits, the first not 0", name, x.s, MinE164Digits, MaxE164Digits)
	}
}

func (v *validator) voice(p paramSet, x paramValue) {
	if x.ok && !IsVoiceProfile(x.s) {
		v.add(StatusInvalidVoiceProfile, p.at("voiceProfile"), "voiceProfile %q is not a speech profile code like en-US-BenjaminRUS", x.s)
	}
}

// text checks a text that is spoken: its length, and its characters.
//
// No 8x8 source says which characters -1016 ("Some special characters are
// invalid/unaccepted") refuses: the Voice Status Codes page and its quick
// reference give only that message, and neither the OAS nor the Callflow
// Actions, Voice Messaging and IVR pages restrict the text beyond its
// length. So only what cannot be spoken text is
// refused, by this package's choice rather than a documented rule: control
// characters (Unicode Cc, which includes newline, tab and the C1
// controls), bytes that are not UTF-8, and \u escapes of unpaired
// surrogates. The last two are checked on the raw JSON, because decoding
// silently turns them into U+FFFD. Markup characters and emoji are left
// alone: nothing documents that 8x8 refuses them.
func (v *validator) text(p paramSet, name string, x paramValue) {
	if !x.ok {
		return
	}
	if n := utf8.RuneCountInString(x.s); n > MaxTextLength {
		v.add(StatusInvalidEntry, p.at(name), "%s is %d characters long, at most %d are accepted", name, n, MaxTextLength)
	}
	if why := rawStringFault(x.raw); why != "" {
		v.add(StatusInvalidCharacters, p.at(name), "%s %s", name, why)
		return
	}
	pos := 0
	for _, r := range x.s {
		pos++
		if unicode.IsControl(r) {
			v.add(StatusInvalidCharacters, p.at(name), "%s holds the control character %U at character %d", name, r, pos)
			return
		}
	}
}

// rawStringFault says what in the JSON string literal raw is not Unicode
// text, or "": bytes that are not UTF-8, or a \u escape of a surrogate
// that is not half of a pair. raw is known to be valid JSON.
func rawStringFault(raw []byte) string {
	if !utf8.Valid(raw) {
		return "is not valid UTF-8"
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++ // the escaped character
		r, ok := escapedRune(raw, i)
		if !ok {
			continue
		}
		i += 4
		if !utf16.IsSurrogate(r) {
			continue
		}
		if r < 0xDC00 { // a high surrogate needs a low one right after it
			if i+2 < len(raw) && raw[i+1] == '\\' {
				if low, ok := escapedRune(raw, i+2); ok && low >= 0xDC00 && low <= 0xDFFF {
					i += 6
					continue
				}
			}
		}
		return fmt.Sprintf("holds the unpaired surrogate \\u%04x", r)
	}
	return ""
}

// escapedRune reads the \uXXXX escape whose 'u' is at raw[i].
func escapedRune(raw []byte, i int) (rune, bool) {
	if i+4 >= len(raw) || raw[i] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(raw[i+1:i+5]), 16, 16)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}

// paramKind is the JSON type a parameter must have.
type paramKind int

const (
	pkString paramKind = iota
	pkInteger
	pkNumber
	pkBoolean
)

func (k paramKind) String() string {
	switch k {
	case pkString:
		return "a string"
	case pkInteger:
		return "a whole number"
	case pkNumber:
		return "a number"
	}
	return "a boolean"
}

// paramSet is the parameters of one action.
type paramSet struct {
	path string // $.callflow[i].params
	raw  map[string]json.RawMessage
}

func (p paramSet) at(name string) string { return p.path + "." + name }

// paramValue is a parameter as read from params.
type paramValue struct {
	present bool // given and not null
	ok      bool // of the right type; s, f or b holds it
	raw     json.RawMessage
	s       string
	f       float64
	b       bool
}

// param reads the parameter name of kind k and reports it when it is
// required and missing or null, or of the wrong type. An optional
// parameter may be null: the OAS marks sayAndCapture's as nullable, and
// null is taken to mean "not given" elsewhere too.
func (v *validator) param(p paramSet, name string, k paramKind, required bool) paramValue {
	raw, ok := p.raw[name]
	if !ok {
		if required {
			v.add(StatusInvalidEntry, p.at(name), "%s is missing but it is required", name)
		}
		return paramValue{}
	}
	if isJSONNull(raw) {
		if required {
			v.add(StatusInvalidEntry, p.at(name), "%s is null, expected %s", name, k)
		}
		return paramValue{}
	}
	x := paramValue{present: true, raw: raw}
	switch k {
	case pkString:
		x.ok = json.Unmarshal(raw, &x.s) == nil
	case pkBoolean:
		x.ok = json.Unmarshal(raw, &x.b) == nil
	case pkNumber, pkInteger:
		x.ok = json.Unmarshal(raw, &x.f) == nil
		if x.ok && k == pkInteger && x.f != math.Trunc(x.f) {
			v.add(StatusInvalidEntry, p.at(name), "%s %s is not a whole number", name, raw)
			x.ok = false
			return x
		}
	}
	switch {
	case x.ok:
	case (k == pkNumber || k == pkInteger) && jsonKind(raw) == "a number":
		v.add(StatusInvalidEntry, p.at(name), "%s %s is out of range", name, raw)
	default:
		v.add(StatusInvalidEntry, p.at(name), "%s is %s, expected %s", name, jsonKind(raw), k)
	}
	return x
}

// between reports x when it is outside lo..hi, inclusive, with code;
// why is added to the message.
func (v *validator) between(p paramSet, name string, x paramValue, lo, hi float64, code int, why string) {
	if x.ok && (x.f < lo || x.f > hi) {
		v.add(code, p.at(name), "%s %s is not between %s and %s%s", name, x.raw, formatNum(lo), formatNum(hi), why)
	}
}

// atLeast reports x when it is below lo.
func (v *validator) atLeast(p paramSet, name string, x paramValue, lo float64) {
	if x.ok && x.f < lo {
		v.add(StatusInvalidEntry, p.at(name), "%s %s is less than %s", name, x.raw, formatNum(lo))
	}
}

func formatNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func isJSONNull(raw []byte) bool { return string(bytes.TrimSpace(raw)) == "null" }

// jsonKind names the JSON type of the valid JSON value raw, with its article.
func jsonKind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "empty"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func knownAction(name string) bool { return slices.Contains(validActions, name) }

// suggestAction returns the action name that name miswrites in case
// (sayandcapture, makecall), the usual slip with 8x8's case-sensitive
// names; or "".
func suggestAction(name string) string {
	for _, a := range validActions {
		if strings.EqualFold(a, name) {
			return a
		}
	}
	return ""
}

// countOf returns "1 action" or "n actions".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
