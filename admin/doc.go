// Package admin is shardis's operator API: JSON over HTTP on its own port
// (loopback by default), routed with go-chi/chi.
//
// # Endpoints
//
//	GET /v1/slots      slot → instance, compressed into ranges
//	GET /v1/instances  per instance: kind, slots owned, keys, memory
//	GET /v1/stats      ops/s, connections, per-command counters
//	GET /healthz       liveness
//	GET /metrics       Prometheus text format
//
// Every response, errors included, is JSON (except /metrics); errors are
// {"error": "..."} with the matching HTTP status.
//
// # Authentication
//
// With a token configured (--admin-token), every request must carry
// "Authorization: Bearer <token>"; the comparison is constant-time. The
// token travels in a header, never in the URL, so access logs never see it.
//
// # Metrics
//
// The Prometheus collector reads the Source at scrape time rather than
// updating Prometheus metrics on the request path: the proxy already keeps
// per-event-loop counters, and a scrape every few seconds is far cheaper
// than a labelled counter increment per command.
package admin
