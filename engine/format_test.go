package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
)

const formatsFlow = `
languages:
  en: en-US-JennyNeural
  es: es-MX-DaliaNeural
start: choose
fallback: bye
nodes:
  choose:
    menu:
      - {say: "For English press 1.", lang: en}
      - {say: "Para español oprima 2.", lang: es}
    keys: {"1": {to: amount, lang: en}, "2": {to: amount, lang: es}}
  amount:
    collect: {en: Enter an amount., es: Ingrese un monto.}
    into: amount
    then: day
  day:
    collect: {en: Enter a date., es: Ingrese una fecha.}
    into: day
    check: date
    then: hour
  hour:
    collect: {en: Enter a time., es: Ingrese una hora.}
    into: hour
    then: balance
  balance:
    set: {balance: "45.20"}
    then: say
  say:
    say:
      en: "{{amount | money}}, {{balance | money EUR}}, {{day | date}}, {{hour | time}}, card ending {{amount | last 2}}."
      es: "{{amount | money}}, {{balance | money EUR}}, {{day | date}}, {{hour | time}}, tarjeta {{amount | last 2}}."
  bye:
    say: {en: Goodbye., es: Adiós.}
`

// TestFormats: a value is said in the caller's language: an amount, a date,
// a time, digits.
func TestFormats(t *testing.T) {
	for _, tt := range []struct{ lang, amount, day, hour, want string }{
		{"1", "4520", "20260304", "1630", "4520 dollars, 45 euros and 20 cents, March 4, 2026, 4:30 PM, card ending 2 0."},
		{"1", "1", "03042026", "0900", "1 dollar, 45 euros and 20 cents, March 4, 2026, 9 AM, card ending 1."},
		{"2", "4520", "20261225", "1630", "4520 dólares, 45 euros con 20 céntimos, 25 de diciembre de 2026, 16:30, tarjeta 2 0."},
	} {
		c := newCall(t, formatsFlow)
		c.press(tt.lang).press(tt.amount).press(tt.day).press(tt.hour)
		if got := c.says(); len(got) == 0 || got[0] != tt.want {
			t.Errorf("%s: says %q, want %q", tt.lang, got, tt.want)
		}
	}
}

// TestBuiltinValues: the date, the time and the language a call has, in
// the line's zone.
func TestBuiltinValues(t *testing.T) {
	const src = `
start: hours
nodes:
  hours:
    schedule: {zone: America/New_York, weekly: {open: {daily: "00:00-24:00"}}}
    then: tell
  tell:
    say: "Today is {{today | date}}, it is {{now | time}}, from {{caller}}."
`
	flow := mustLoad(t, src)
	at := time.Date(2026, 12, 5, 2, 30, 0, 0, time.UTC) // 21:30 on the 4th in New York
	body, _ := flow.Answer(nil, callstate.Keys{}, "", engine.Input{Start: true, Time: at, From: "+15550100"})
	if want := "Today is December 4, 2026, it is 9:30 PM, from +15550100."; !strings.Contains(string(body), want) {
		t.Errorf("answer %s, want %q", body, want)
	}
}
