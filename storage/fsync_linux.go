package storage

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// fdatasync is what Redis's redis_fsync is on Linux: the data and the
// size, without the timestamps fsync would also write.
func fdatasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: err}
		}
		return nil
	}
}

const haveSyncfs = true

// syncfs flushes the whole file system f lives on (syncfs(2)); since
// Linux 5.8 it reports writeback errors of any file on it.
func syncfs(f *os.File) error {
	for {
		err := unix.Syncfs(int(f.Fd()))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "syncfs", Path: f.Name(), Err: err}
		}
		return nil
	}
}
