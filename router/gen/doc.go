// Command gen writes router/commands_gen.go from the command metadata of a
// real redis-server 7.0. It starts one on a free loopback port, asks it for
// COMMAND (arity, flags, key specs, ACL categories, tips, subcommands) and
// COMMAND DOCS (summaries, history, argument trees) over RESP2, and emits
// the whole table as Go literals of router.Command.
//
// Run it with `go generate ./router`. CI never runs it: the generated file
// is committed, so building needs no redis-server. The generator does not
// import the router package, so it still builds when the file it writes is
// stale or broken.
//
// Everything it reads is checked against the shape Redis 7.0 replies with;
// a field it does not know fails the run instead of vanishing from the
// table. The output is deterministic: commands and subcommands are sorted
// by name, and everything else keeps the server's (fixed) order.
package main
