// Package configs holds every shardis setting: its name, default,
// documentation, syntax and whether it can change while shardis runs.
//
// # One table
//
// params.go declares each setting once, in the table params. Everything
// else is derived from it:
//
//   - the command-line flags, named exactly like the settings (--port,
//     --proto-max-bulk-len);
//   - the YAML file named by --config, whose keys are the same names;
//   - CONFIG GET and CONFIG SET, with Redis 7.0's glob matching, error
//     replies and all-or-nothing semantics;
//   - the documentation: shardis -h, README.md and the example file
//     shardis.yaml, the last two generated (go test ./configs -update) and
//     checked by the tests.
//
// Four hand-kept lists (flags, file keys, CONFIG handlers, docs) drift
// apart; one table cannot. Names are redis.conf directives wherever Redis
// has one, and values use redis.conf syntax everywhere, memory units
// included ("512mb"), so a Redis operator's habits carry over. Adding a
// setting is one table entry, one field in values and a typed accessor.
//
// Precedence is defaults < file < flags. Parse errors read the same from
// every source because each kind reports Redis's own words ("argument
// couldn't be parsed into an integer"): CONFIG SET wraps them in Redis's
// reply, Load in "configs: FILE:LINE: KEY: ..." or the flag's name.
//
// # Concurrency
//
// The request path consults several run-time settings for every batch of
// commands: client-query-buffer-limit and client-output-buffer-limit on
// each read, proto-max-bulk-len for each parser, requirepass and
// maxclients on each connection. Those reads must not contend with one
// another or with CONFIG SET, so a Config is an atomic pointer to an
// immutable snapshot of every value. An accessor is one atomic load and a
// field read, with no lock and no allocation.
//
// CONFIG SET copies the snapshot, applies every pair to the copy and
// publishes it with a single store, so readers see either none or all of
// a multi-pair SET, never half of it, and a failed SET changes nothing. A
// mutex serialises writers only, so that two concurrent SETs cannot lose
// one another's update.
//
// Start-up settings (bind, port, databases, ...) are read the same way,
// but CONFIG SET refuses them as immutable: the components that use them
// are built once, from the values Load returned.
package configs
