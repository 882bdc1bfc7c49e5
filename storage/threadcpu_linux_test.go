package storage

import (
	"syscall"
	"time"
	"unsafe"
)

// threadCPUClock reads CLOCK_THREAD_CPUTIME_ID: the CPU time of the
// calling thread, which a timing test pins its goroutine to.
func threadCPUClock() func() time.Duration {
	return func() time.Duration {
		var ts syscall.Timespec
		const clockThreadCPUTimeID = 3
		syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
		return time.Duration(ts.Nano())
	}
}
