package schedule

import (
	"testing"
	"time"
)

// BenchmarkBranch measures the per-webhook cost: an ordinary weekday, a
// dated day, and a year outside the precomputed holidays.
func BenchmarkBranch(b *testing.B) {
	spec := shop()
	spec.Holidays = fv("us")
	s := mustCompile(b, spec)
	for _, c := range []struct {
		name string
		at   time.Time
	}{
		{"weekday", time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)},
		{"closure", time.Date(2026, 12, 25, 15, 0, 0, 0, time.UTC)},
		{"uncomputed_year", time.Date(2150, 12, 2, 15, 0, 0, 0, time.UTC)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = s.Branch(c.at)
			}
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	for _, c := range []struct {
		name     string
		holidays string
	}{{"dates", ""}, {"us_holidays", "us"}} {
		spec := shop()
		spec.Holidays = fv(c.holidays)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Compile(spec)
			}
		})
	}
}
