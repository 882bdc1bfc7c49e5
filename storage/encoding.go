package storage

import "sync/atomic"

// EncodingConfig holds the thresholds at which a collection leaves its
// compact encoding (listpack, intset) for the full structure, and the node
// sizes of the structures DUMP and snapshots write. They are Redis's
// settings of the same names.
//
// They are process-wide, as in Redis's server struct: every instance of
// every engine follows one setting, and CONFIG SET changes it for all of
// them at once. A value is converted when a write next touches it, never
// back, exactly as Redis does.
type EncodingConfig struct {
	HashMaxListpackEntries int64
	HashMaxListpackValue   int64
	SetMaxIntsetEntries    int64
	ZSetMaxListpackEntries int64
	ZSetMaxListpackValue   int64
	// ListMaxListpackSize is elements per quicklist node when positive,
	// -1..-5 for nodes of 4, 8, 16, 32 or 64 KiB.
	ListMaxListpackSize  int64
	HLLSparseMaxBytes    int64
	StreamNodeMaxBytes   int64
	StreamNodeMaxEntries int64
}

// DefaultEncodingConfig is redis-server 7.0's built-in default, which is
// also what a server started without a config file reports (the sample
// redis.conf lowers hash-max-listpack-entries to 128).
func DefaultEncodingConfig() EncodingConfig {
	return EncodingConfig{
		HashMaxListpackEntries: 512,
		HashMaxListpackValue:   64,
		SetMaxIntsetEntries:    512,
		ZSetMaxListpackEntries: 128,
		ZSetMaxListpackValue:   64,
		ListMaxListpackSize:    -2,
		HLLSparseMaxBytes:      3000,
		StreamNodeMaxBytes:     4096,
		StreamNodeMaxEntries:   100,
	}
}

// encodingConfig is published whole, so a command never sees half of a
// CONFIG SET that changed two thresholds.
var encodingConfig atomic.Pointer[EncodingConfig]

func init() {
	c := DefaultEncodingConfig()
	encodingConfig.Store(&c)
}

// SetEncodingConfig replaces the thresholds for every engine of the
// process; it returns the previous ones (for tests to restore).
func SetEncodingConfig(c EncodingConfig) EncodingConfig {
	return *encodingConfig.Swap(&c)
}

// encoding is the configuration in force: one atomic load.
func encoding() *EncodingConfig { return encodingConfig.Load() }
