//go:build !amd64

package storage

import "unsafe"

// prefetchW is a hint only; where there is no assembly for it, it does
// nothing (prefetch_amd64.go).
func prefetchW(p unsafe.Pointer) {}
