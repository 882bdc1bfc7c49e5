// Package configs holds shardis's settings and their documentation.
//
// One table (params.go) declares every setting: its redis.conf-style name,
// default, meaning, parser and whether CONFIG SET may change it at run
// time. That table alone drives the command-line flags, the YAML file
// (--config), CONFIG GET and CONFIG SET, so the four can never disagree;
// config_test.go fails when README.md or shardis.yaml in this directory
// miss a setting.
//
// # Concurrency
//
// The request path reads mutable settings on every batch (maxclients,
// proto-max-bulk-len, client-query-buffer-limit, the output limits), so
// those are read without locks: integers with sync/atomic, the output
// limits through an atomic pointer to an immutable array. CONFIG SET is
// serialized by a mutex, validates every pair on a scratch Config first
// and only then applies them, so it is all or nothing as in Redis.
package configs
