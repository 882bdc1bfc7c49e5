// Command shardis is a Redis-compatible sharding server: one RESP endpoint
// in front of many storage instances, with an HTTP admin API.
//
//	shardis [--config FILE] [--port 6379] [--instances 64] [--sharding slots|ring] ...
//
// Every flag is named like its redis.conf directive; `shardis -h` lists
// them, and configs/README.md documents each.
//
// # Components
//
// start (main.go) builds the process in dependency order: the router
// (slot or ring placement), the storage engine and its migrator (routing
// state from dir/routing.json), persistence (load the AOF or snapshots,
// then start the syncer), the backend pool, the RESP server (proxy) and,
// unless --admin-port is -1, the admin API. Tests start servers through
// the same function, several in one process, so everything process-wide
// is set in serve instead: signal handling and the Go processor policy
// (procs.go, procs-per-loop: one processor while one event loop has no
// long background job beside it, all of them while it has).
//
// The other files are subcommands and glue: check-aof (checkaof.go, the
// redis-check-aof of our files), admin (admin_cli.go, a client of the
// admin API with a live progress line), and the adapters that hand
// configuration to the engine (persist.go, routing.go) and the engine's
// state and migrator to the admin API (admin_source.go,
// admin_migrations.go).
//
// # Shutdown
//
// SIGINT or SIGTERM stops the admin API, then the event loops (closing
// every connection), then the engine's background work, and last
// persistence, whose final round writes and fsyncs every buffered record
// before the process logs "bye" and exits 0.
package main
