//go:build race

package main

// raceEnabled: the race detector multiplies memory use and slows every
// access, so resource bounds are checked only without it.
const raceEnabled = true
