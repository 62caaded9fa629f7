package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The words a value is said with, by language; English is the default
// and the fallback of a language not listed here.
var (
	monthNames = map[string][12]string{
		"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		"es": {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		"de": {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		"it": {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
		"pt": {"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
	}
	// currencyWords are a currency's unit and hundredth, one and many, by
	// language.
	currencyWords = map[string]map[string][4]string{
		"USD": {"en": {"dollar", "dollars", "cent", "cents"}, "es": {"dólar", "dólares", "centavo", "centavos"},
			"fr": {"dollar", "dollars", "cent", "cents"}, "de": {"Dollar", "Dollar", "Cent", "Cent"}},
		"EUR": {"en": {"euro", "euros", "cent", "cents"}, "es": {"euro", "euros", "céntimo", "céntimos"},
			"fr": {"euro", "euros", "centime", "centimes"}, "de": {"Euro", "Euro", "Cent", "Cent"}},
		"GBP": {"en": {"pound", "pounds", "penny", "pence"}, "es": {"libra", "libras", "penique", "peniques"},
			"fr": {"livre", "livres", "penny", "pence"}, "de": {"Pfund", "Pfund", "Penny", "Pence"}},
	}
	andWord = map[string]string{"en": "and", "es": "con", "fr": "et", "de": "und", "it": "e", "pt": "e"}
)

// base returns the language of a tag ("es" of "es-MX"), "en" for "".
func base(lang string) string {
	b, _, _ := strings.Cut(lang, "-")
	if b == "" {
		return "en"
	}
	return strings.ToLower(b)
}

// moneyFormat returns the format that says an amount in currency (USD
// when "").
func moneyFormat(currency string) (format, error) {
	currency = strings.ToUpper(currency)
	if currency == "" {
		currency = "USD"
	}
	words, ok := currencyWords[currency]
	if !ok {
		return nil, fmt.Errorf("a currency of USD, EUR or GBP, not %q", currency)
	}
	return func(v, lang string) string {
		units, cents, ok := amount(v)
		if !ok {
			return v // said as it is: not an amount
		}
		w, ok := words[base(lang)]
		if !ok {
			w = words["en"]
		}
		s := strconv.FormatInt(units, 10) + " " + plural2(units, w[0], w[1])
		if cents > 0 {
			and := andWord[base(lang)]
			if and == "" {
				and = "and"
			}
			s += " " + and + " " + strconv.FormatInt(cents, 10) + " " + plural2(cents, w[2], w[3])
		}
		return s
	}, nil
}

// amount reads "45", "45.2" or "45.20" (a sign is refused) as units and
// hundredths.
func amount(v string) (units, cents int64, ok bool) {
	whole, frac, dot := strings.Cut(strings.TrimSpace(v), ".")
	if whole == "" || !digitsOnly(whole) || dot && (frac == "" || len(frac) > 2 || !digitsOnly(frac)) {
		return 0, 0, false
	}
	u, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	if len(frac) == 1 {
		frac += "0"
	}
	c, _ := strconv.ParseInt("0"+frac, 10, 64)
	return u, c, true
}

func plural2(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// sayDate says a date in the caller's language; a value that is not a date
// is said as it is.
func sayDate(v, lang string) string {
	var t time.Time
	var err error
	for _, layout := range []string{"20060102", "2006-01-02", "01022006"} {
		if t, err = time.Parse(layout, v); err == nil {
			break
		}
	}
	if err != nil {
		return v
	}
	b := base(lang)
	months, ok := monthNames[b]
	if !ok {
		months, b = monthNames["en"], "en"
	}
	m := months[t.Month()-1]
	switch b {
	case "en":
		return fmt.Sprintf("%s %d, %d", m, t.Day(), t.Year())
	case "es", "pt":
		return fmt.Sprintf("%d de %s de %d", t.Day(), m, t.Year())
	case "de":
		return fmt.Sprintf("%d. %s %d", t.Day(), m, t.Year())
	}
	return fmt.Sprintf("%d %s %d", t.Day(), m, t.Year())
}

// sayTime says a time of day: with AM or PM in English, on the 24-hour
// clock otherwise; a value that is not a time is said as it is.
func sayTime(v, lang string) string {
	var t time.Time
	var err error
	for _, layout := range []string{"15:04", "1504"} {
		if t, err = time.Parse(layout, v); err == nil {
			break
		}
	}
	if err != nil {
		return v
	}
	if base(lang) == "en" {
		if t.Minute() == 0 {
			return t.Format("3 PM")
		}
		return t.Format("3:04 PM")
	}
	return t.Format("15:04")
}
