package storage

import "unsafe"

// prefetchW asks for the two cache lines from p in exclusive state, ready
// to be stored to, without waiting for them (PREFETCHW): unlike a load,
// a prefetch never holds up the instructions after it while the lines
// arrive. p must point at least 128 bytes before the end of its object.
//
//go:noescape
func prefetchW(p unsafe.Pointer)
