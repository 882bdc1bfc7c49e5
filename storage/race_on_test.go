//go:build race

package storage

// raceEnabled tells timing tests that the race detector slows every memory
// access several times over.
const raceEnabled = true
