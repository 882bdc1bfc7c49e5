package router

// Command is one entry of the command table, generated from Redis 7.0's own
// command metadata (see commands_gen.go and gen/). Subcommands ("CLIENT
// SETNAME") are Commands too, listed under their container.
type Command struct {
	// Name is lower case; a subcommand's is "container|sub" ("client|setname").
	Name string
	// Arity counts the command name; negative means "at least -Arity".
	Arity int
	// Flags are the command flags, in Redis's COMMAND INFO order.
	Flags Flags
	// FirstKey, LastKey and Step are the legacy key positions COMMAND INFO
	// still reports.
	FirstKey, LastKey, Step int
	// ACLCategories are without the leading '@'.
	ACLCategories []string
	// Tips are the command tips ("nondeterministic_output", ...).
	Tips []string
	// KeySpecs locate the keys; KeyPositions interprets them.
	KeySpecs []KeySpec
	// Subcommands of a container command, in Redis's order; nil otherwise.
	Subcommands []*Command
	// Parent is the container of a subcommand.
	Parent *Command
	// docs is Redis's COMMAND DOCS map for the command, RESP3-encoded,
	// without its subcommands (AppendDocs adds the implemented ones).
	docs string
	// ID indexes per-command tables (handlers, statistics); it is the
	// command's position in All().
	ID int
}

// Flags is a set of command flags.
type Flags uint64

// Command flags, as Redis names them in COMMAND INFO.
const (
	FlagWrite Flags = 1 << iota
	FlagReadonly
	FlagDenyOOM
	FlagModule
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagAsking
	FlagFast
	FlagNoAuth
	FlagMayReplicate
	FlagNoMandatoryKeys
	FlagNoAsyncLoading
	FlagNoMulti
	FlagAllowBusy
	FlagMovableKeys
)

// flagNames is the order COMMAND INFO prints flags in (movablekeys,
// which Redis derives rather than declares, comes last).
var flagNames = []struct {
	f    Flags
	name string
}{
	{FlagWrite, "write"}, {FlagReadonly, "readonly"}, {FlagDenyOOM, "denyoom"},
	{FlagModule, "module"}, {FlagAdmin, "admin"}, {FlagPubSub, "pubsub"},
	{FlagNoScript, "noscript"}, {FlagBlocking, "blocking"}, {FlagLoading, "loading"},
	{FlagStale, "stale"}, {FlagSkipMonitor, "skip_monitor"}, {FlagSkipSlowlog, "skip_slowlog"},
	{FlagAsking, "asking"}, {FlagFast, "fast"}, {FlagNoAuth, "no_auth"}, {FlagMayReplicate, "may_replicate"},
	{FlagNoMandatoryKeys, "no_mandatory_keys"}, {FlagNoAsyncLoading, "no_async_loading"},
	{FlagNoMulti, "no_multi"}, {FlagAllowBusy, "allow_busy"}, {FlagMovableKeys, "movablekeys"},
}

// Names lists the flags in COMMAND INFO order.
func (f Flags) Names() []string {
	var out []string
	for _, n := range flagNames {
		if f&n.f != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// FlagByName maps a COMMAND INFO flag name to its bit (0 when unknown).
func FlagByName(name string) Flags {
	for _, n := range flagNames {
		if n.name == name {
			return n.f
		}
	}
	return 0
}

// KeySpec is one Redis 7 key specification: where the search for keys
// begins (BeginSearch) and how keys are found from there (FindKeys).
type KeySpec struct {
	// Flags are the key-spec flags ("RW", "access", ...), Redis's order.
	Flags []string
	// BS is "index", "keyword" or "unknown".
	BS string
	// Index is the begin_search index position.
	Index int
	// Keyword and StartFrom are the begin_search keyword spec.
	Keyword   string
	StartFrom int
	// FK is "range", "keynum" or "unknown".
	FK string
	// LastKey, KeyStep, Limit are the range find_keys spec.
	LastKey, KeyStep, Limit int
	// KeyNumIdx, FirstKey (and KeyStep) are the keynum find_keys spec.
	KeyNumIdx, FirstKey int
}

// IsSubcommand reports whether c is a subcommand of a container.
func (c *Command) IsSubcommand() bool { return c.Parent != nil }

// AcceptsArgc reports whether argc arguments (name included) fit Arity.
func (c *Command) AcceptsArgc(argc int) bool {
	if c.Arity >= 0 {
		return argc == c.Arity
	}
	return argc >= -c.Arity
}
