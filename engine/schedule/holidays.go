package schedule

import (
	"slices"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/at"
	"github.com/rickar/cal/v2/be"
	"github.com/rickar/cal/v2/br"
	"github.com/rickar/cal/v2/ca"
	"github.com/rickar/cal/v2/ch"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/mx"
	"github.com/rickar/cal/v2/nl"
	"github.com/rickar/cal/v2/nz"
	"github.com/rickar/cal/v2/us"
)

// calendars are the national public holidays a schedule can name, by ISO
// 3166 code. Countries whose holidays are only regional in rickar/cal
// (Australia's, by state) are left out, and so is Japan's, whose equinox
// rules write to the shared Holiday as they compute: their dates go in
// the file.
var calendars = map[string]*calendar{
	"at": {code: "at", days: at.Holidays},
	"be": {code: "be", days: be.Holidays},
	"br": {code: "br", days: br.Holidays},
	"ca": {code: "ca", days: ca.Holidays},
	"ch": {code: "ch", days: ch.Holidays},
	"de": {code: "de", days: de.Holidays},
	"es": {code: "es", days: es.Holidays},
	"fr": {code: "fr", days: fr.Holidays},
	"gb": {code: "gb", days: gb.Holidays},
	"ie": {code: "ie", days: ie.Holidays},
	"it": {code: "it", days: it.Holidays},
	"mx": {code: "mx", days: mx.Holidays},
	"nl": {code: "nl", days: nl.Holidays},
	"nz": {code: "nz", days: nz.Holidays},
	"us": {code: "us", days: us.Holidays},
}

// Calendars is the codes Spec.Holidays accepts, sorted.
func Calendars() []string {
	codes := make([]string, 0, len(calendars))
	for code := range calendars {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	return codes
}

// The years whose holidays Compile precomputes; Branch computes the others
// when asked, which is slower but as right.
const (
	firstYear = 2020
	endYear   = 2070 // exclusive
)

var (
	windowStart = dateKey(firstYear, time.January, 1)
	windowEnd   = dateKey(endYear, time.January, 1)
)

type calendar struct {
	code string
	days []*cal.Holiday
}

func (c *calendar) precomputed(key int64) bool { return key >= windowStart && key < windowEnd }

// window is the holidays of the precomputed years, by date.
func (c *calendar) window() map[int64]string {
	out := map[int64]string{}
	for year := firstYear - 1; year <= endYear; year++ {
		c.year(year, func(key int64, name string) {
			if c.precomputed(key) {
				out[key] = name
			}
		})
	}
	return out
}

// holiday says whether day key is a holiday, computing it.
func (c *calendar) holiday(key int64) (name string, ok bool) {
	y := time.Unix(key*86400, 0).UTC().Year()
	// A holiday observed on another day may cross a new year: New Year's
	// Day on a Saturday is observed on the Friday before.
	for year := y - 1; year <= y+1; year++ {
		c.year(year, func(k int64, n string) {
			if k == key && !ok {
				name, ok = n, true
			}
		})
	}
	return name, ok
}

// year calls f with the date and name of each holiday of a year: the day
// it falls on and, when the calendar moves it off a weekend, the day it is
// observed on.
func (c *calendar) year(year int, f func(key int64, name string)) {
	for _, h := range c.days {
		actual, observed := h.Calc(year)
		if actual.IsZero() {
			continue
		}
		f(dateKey(actual.Date()), h.Name)
		if !observed.Equal(actual) {
			f(dateKey(observed.Date()), h.Name+" (observed)")
		}
	}
}
