//go:build !linux

package storage

import "os"

// fdatasync falls back to fsync where there is no fdatasync.
func fdatasync(f *os.File) error { return f.Sync() }

const haveSyncfs = false

func syncfs(f *os.File) error { return f.Sync() }
