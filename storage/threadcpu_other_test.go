//go:build !linux

package storage

import "time"

// threadCPUClock is nil where the thread CPU clock is not wired up: the
// timing test then reports wall time only.
func threadCPUClock() func() time.Duration { return nil }
