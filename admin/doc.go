// Package admin is shardis's operator API: JSON over HTTP on a port of its
// own (admin-bind:admin-port, loopback by default), routed with
// go-chi/chi.
//
// # Endpoints
//
//	GET /v1/slots      {"slots": [{"start": 0, "end": 255, "instance": 0}, ...]}
//	                   which instance owns each of the 16384 slots, sorted,
//	                   with neighbouring slots of one instance merged
//	GET /v1/instances  {"instances": [{"id", "kind", "slots", "keys", "memory_bytes"}, ...]}
//	GET /v1/stats      {"ops_per_sec", "total_commands", "connected_clients",
//	                   "total_connections", "rejected_connections",
//	                   "uptime_seconds", "commands": [{"name", "calls", "usec",
//	                   "failed_calls", "rejected_calls"}, ...]}
//	GET /healthz       {"status": "ok"} while the process serves
//	GET /metrics       Prometheus text format
//
// A Source that also implements Migrator (migrations.go) moves slots:
//
//	POST /v1/migrations            {"slots": [[0, 99], [512, 512]], "target": 7}
//	                               → 201 and the migration (Location header)
//	GET  /v1/migrations            {"paused", "throttle", "migrations": [...]}
//	GET  /v1/migrations/{id}       state (pending, migrating, done, failed,
//	                               cancelled), slots and keys and bytes done of
//	                               the total, rates, eta_seconds, errors
//	POST /v1/migrations/{id}/cancel
//	POST /v1/migrations/pause, /v1/migrations/resume
//	GET|PUT /v1/migrations/throttle {"keys_per_sec", "bytes_per_sec"} (0: none)
//	POST /v1/rebalance[?dry_run=true]  the plan (moves with reasons, loads
//	                               before and after); without dry_run it is
//	                               queued (201), one migration per target
//	POST /v1/instances, DELETE /v1/instances/{id}
//	GET  /v1/slots                 gains "migrating": slots held by unfinished
//	                               migrations, "migrating" or "pending"
//
// Refusals are JSON errors with their status: 400 for a malformed body or
// an unknown instance, 404 for an unknown migration, 409 for a slot another
// migration holds, an empty plan, or cancelling a finished migration; 501
// when the Source cannot migrate. Bodies are decoded strictly (unknown
// fields are errors, 1 MiB at most). The Migrator returns *Error to choose
// the status; anything else is a 500.
//
// HEAD is answered like GET. Everything but /metrics answers JSON, errors
// included: {"error": "..."} with the HTTP status, for unknown paths (404)
// and methods (405, with an Allow header) as well. Resources are plain
// nouns under a version prefix, so that later actions (moving slots) can
// be POSTs to /v1/slots/{slot}/... without breaking clients.
//
// # Authentication
//
// With a token (Options.Token, the admin-token setting) every request,
// /healthz and /metrics included, must carry "Authorization: Bearer
// <token>"; anything else is answered 401. The token travels in a header,
// never in the URL, so it stays out of access logs, and the request log
// records neither headers nor query strings. The comparison is constant
// time over SHA-256 digests, so it leaks neither the token nor its length.
// Without a token the API is open: keep admin-bind on loopback then.
//
// # Metrics
//
// Each Server has a private Prometheus registry with the Go runtime and
// process collectors and a collector that reads the Source when scraped:
//
//	shardis_commands_total{cmd}                  counter
//	shardis_command_duration_seconds_total{cmd}  counter
//	shardis_commands_failed_total{cmd}           counter
//	shardis_commands_rejected_total{cmd}         counter
//	shardis_connected_clients                    gauge
//	shardis_connections_total                    counter
//	shardis_rejected_connections_total           counter
//	shardis_ops_per_second                       gauge
//	shardis_instance_info{instance_id,kind}      gauge, always 1
//	shardis_instance_keys{instance_id}           gauge
//	shardis_instance_memory_bytes{instance_id}   gauge
//	shardis_instance_slots{instance_id}          gauge
//	shardis_migrations{state}                    gauge (with a Migrator)
//	shardis_slots_migrating                      gauge
//	shardis_migrations_paused                    gauge
//	shardis_migration_keys_moved_total           counter
//	shardis_migration_bytes_moved_total          counter
//	shardis_migration_keys_forwarded_total       counter
//	shardis_slot_migrating{slot,from,to}         gauge, 1 per slot in flight
//
// Pulling at scrape time rather than pushing into Prometheus counters
// keeps the command path free of metrics work: the proxy already counts
// per event loop for INFO, and aggregating those counters once per scrape
// (every 15 s or so) is far cheaper than a labelled counter update on
// every command. A private registry keeps two Servers in one process
// (tests, embedding) from colliding in the global one.
//
// Instances are labelled instance_id rather than instance because
// Prometheus gives every scraped series an "instance" label of its own
// (the target's host:port) and would rename a clashing label to
// exported_instance.
//
// # Operations
//
// Panics in a handler are logged with their stack and answered 500.
// Requests are logged through slog once answered: failures at Info
// (4xx) or Error (5xx), successes at Debug so that scrapes do not flood
// the log. The HTTP server bounds header, read, write and idle times so
// that slow clients cannot pin connections.
package admin
