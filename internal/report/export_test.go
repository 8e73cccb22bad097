package report

import "time"

// SetPhase lets the timing test hear each step of a summary.
func SetPhase(f func(name string, d time.Duration)) { phase = f }
