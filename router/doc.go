// Package router decides where a command goes: which keys it names, which
// hash slot each key falls in, and which instance owns that slot. It also
// holds the command table, Redis 7.0's own description of every command,
// which drives key extraction, arity checks and the COMMAND replies.
//
// A request flows through it in three steps:
//
//	c := router.Lookup(args[0])                // command table, no allocation
//	if c.Subcommands != nil { c = c.Sub(args[1]) }
//	pos := c.KeyPositions(args, buf[:0])       // key extraction, no allocation
//	owner := tbl.Owner(router.Slot(args[pos[0]])) // slots and routing table
//
// # Slots
//
// There are 16384 slots, and a key's slot is CRC16/XMODEM of its hash tag,
// masked to 14 bits, exactly as Redis Cluster's keyHashSlot computes it:
//
//   - S1: the hash tag is the bytes between the first '{' and the first '}'
//     after it; with no such pair, or an empty one ("{}"), it is the whole
//     key. So "{user1000}.following" and "{user1000}.followers" share a
//     slot, "foo{}{bar}" hashes whole, and "foo{{bar}}zap" hashes "{bar".
//   - S2: Slot(key) equals CLUSTER KEYSLOT key on any Redis Cluster node.
//     Clients that pre-compute slots, and data moved between shardis and
//     a Redis Cluster, agree with us; the tests check this against a
//     cluster-enabled redis-server.
//
// # Routing table
//
// A Table maps every slot to the instance that owns it; a Router publishes
// the current one.
//
//   - T1: a Table is immutable once published. A change (WithOwner) builds
//     a new Table with a higher Version, and Router.Publish swaps it in with
//     one atomic pointer store. Readers load the pointer once per request
//     and route the whole request with that snapshot, so a multi-key
//     command never sees half a migration, and nobody takes a lock.
//
//   - T2: the hot path is an array index: Owner(slot). Nothing else is
//     consulted to route a key, whichever mode built the table.
//
//   - T3: a slot being migrated has two owners: Owner, the source still
//     holding some of its keys, and Target, receiving them. The owner
//     entry's high bit flags it and a small map holds the targets, so a
//     slot that is not moving costs the same array load as before.
//     AppendOwners lists the instances a command touching a slot must
//     lock: one, or both while it migrates. With builds the tables a
//     migration publishes (mark a slot migrating, give it to its target).
//
// Mode says only how the first table is laid out. ModeSlots gives each
// instance one contiguous range, like redis-cli --cluster create. ModeRing
// places slots with a consistent-hash ring with bounded loads
// (buraksezer/consistent, the 16384 slots as its partitions, load factor
// 1.25), so that growing from n to n+1 instances moves about 1/(n+1) of the
// slots instead of reshuffling most of them.
//
// Consistent hashing is used only as that placement planner: it computes
// the slot→instance table once, and everything after that (lookups, hash
// tags, migration slot by slot, CLUSTER-style introspection) works on the
// slot table alone. Routing keys through the ring itself would lose hash
// tags and per-slot migration, and walk a ring on every request.
//
// # Command table
//
// commands_gen.go is generated (go generate ./router) from a real
// redis-server 7.0: the generator in gen/ starts one, reads COMMAND and
// COMMAND DOCS, and writes every command and subcommand as a Go literal:
// arity, flags, legacy key positions, ACL categories, tips, key specs and
// the full documentation tree. Nothing in it is typed by hand, so arity,
// flags and key positions cannot drift from Redis; supplement.go adds the
// few newer commands clients send anyway (CLIENT SETINFO).
//
//   - C1: All lists every command and subcommand; a command's ID is its
//     index there, so per-command data (handlers, statistics) lives in
//     slices indexed by ID rather than in maps keyed by name.
//   - C2: Lookup and Sub are case-insensitive and allocate nothing; a name
//     longer than any command is rejected before it is looked at.
//   - C3: AppendInfo and AppendDocs write COMMAND INFO and COMMAND DOCS
//     entries byte for byte as Redis 7.0 does, in RESP2 and RESP3, except
//     that subcommands are listed sorted, where Redis lists them in the
//     order of its randomly seeded dict.
//
// # Key extraction
//
// There is one key extractor, (*Command).KeyPositions, and it is driven by
// the table: the proxy routes and checks CROSSSLOT with it, and storage
// locks with it, so the two can never disagree about which arguments are
// keys.
//
//   - K1: it ports Redis 7.0's getKeysFromCommandWithSpecs. The key specs
//     are interpreted (begin_search index or keyword, forwards or backwards;
//     find_keys range, with negative last keys and limits, or keynum); when
//     they are incomplete or do not apply, a port of the command's
//     getkeys_proc decides (SORT ... STORE, MIGRATE ... KEYS, EVAL and
//     FCALL with unparsable key counts, and so on).
//   - K2: for any arguments, KeyPositions returns the keys Redis's COMMAND
//     GETKEYS returns, in its order. The tests check hand-picked and random
//     command lines against a real redis-server.
//   - K3: it allocates nothing when dst has room. Arity is checked before
//     (AcceptsArgc); malformed arguments yield the keys Redis would report,
//     usually none, and the command's own parser reports the error.
//   - K4: sharded Pub/Sub channels (SPUBLISH, SSUBSCRIBE) are NOT_KEY specs:
//     they hash to slots but are not keys, and KeyPositions skips them.
package router
