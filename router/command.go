package router

import "math/bits"

// Command is one entry of the command table, generated from Redis 7.0's own
// command metadata (see commands_gen.go and gen/). Subcommands ("CLIENT
// SETNAME") are Commands too, listed under their container.
type Command struct {
	// Name is lower case; a subcommand's is "container|sub" ("client|setname").
	Name string
	// Arity counts the command name; negative means "at least -Arity".
	// A subcommand's arity counts the container and the subcommand.
	Arity int
	// Flags are the command flags COMMAND INFO reports.
	Flags Flags
	// FirstKey, LastKey and Step are the legacy key positions COMMAND INFO
	// still reports. Routing never uses them: KeyPositions reads KeySpecs.
	FirstKey, LastKey, Step int
	// ACLCategories are without the leading '@', in Redis's order.
	ACLCategories []string
	// Tips are the command tips ("nondeterministic_output", ...).
	Tips []string
	// KeySpecs locate the keys; KeyPositions interprets them.
	KeySpecs []KeySpec
	// Doc is what COMMAND DOCS reports, subcommands aside.
	Doc Doc
	// Subcommands of a container command, sorted by name; nil otherwise.
	Subcommands []*Command
	// Parent is the container of a subcommand.
	Parent *Command
	// ID indexes per-command tables (handlers, statistics); it is the
	// command's position in All().
	ID int

	// keys is how KeyPositions finds this command's keys, decided once
	// when the table is built (see keys.go).
	keys keyPlan
}

// Flags is a set of command flags.
type Flags uint32

// Command flags, in the order Redis 7.0's COMMAND INFO prints them. Flags
// that Redis hides from COMMAND INFO (may_replicate, sentinel, protected)
// cannot be recovered from it and are not modelled.
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
	FlagNoMandatoryKeys
	FlagNoAsyncLoading
	FlagNoMulti
	FlagMovableKeys
	FlagAllowBusy
)

// flagNames is indexed by bit position, so the constants' declaration
// order is the order COMMAND INFO prints flags in.
var flagNames = [...]string{
	"write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript",
	"blocking", "loading", "stale", "skip_monitor", "skip_slowlog", "asking",
	"fast", "no_auth", "no_mandatory_keys", "no_async_loading", "no_multi",
	"movablekeys", "allow_busy",
}

// Names lists the flags in COMMAND INFO order.
func (f Flags) Names() []string { return names(uint64(f), flagNames[:]) }

// FlagByName maps a COMMAND INFO flag name to its bit (0 when unknown).
func FlagByName(name string) Flags { return Flags(byName(name, flagNames[:])) }

// KeyFlags are the flags of one key spec: how the command accesses the
// keys the spec finds.
type KeyFlags uint16

// Key-spec flags, in the order Redis 7.0 prints them (server.h documents
// their meaning under "Key-spec flags").
const (
	KeyRO KeyFlags = 1 << iota
	KeyRW
	KeyOW
	KeyRM
	KeyAccess
	KeyUpdate
	KeyInsert
	KeyDelete
	KeyNotKey
	KeyIncomplete
	KeyVariableFlags
)

var keyFlagNames = [...]string{
	"RO", "RW", "OW", "RM", "access", "update", "insert", "delete",
	"not_key", "incomplete", "variable_flags",
}

// Names lists the key-spec flags in COMMAND INFO order.
func (f KeyFlags) Names() []string { return names(uint64(f), keyFlagNames[:]) }

// KeyFlagByName maps a key-spec flag name to its bit (0 when unknown).
func KeyFlagByName(name string) KeyFlags { return KeyFlags(byName(name, keyFlagNames[:])) }

// BeginSearch is the kind of a key spec's begin_search step.
type BeginSearch uint8

// Begin-search kinds. The zero value is "unknown", which Redis uses for
// keys it cannot locate from the arguments (SORT ... BY patterns).
const (
	BSUnknown BeginSearch = iota
	BSIndex
	BSKeyword
)

func (b BeginSearch) String() string {
	return [...]string{"unknown", "index", "keyword"}[b]
}

// FindKeys is the kind of a key spec's find_keys step.
type FindKeys uint8

// Find-keys kinds; the zero value is "unknown".
const (
	FKUnknown FindKeys = iota
	FKRange
	FKKeyNum
)

func (f FindKeys) String() string {
	return [...]string{"unknown", "range", "keynum"}[f]
}

// KeySpec is one Redis 7 key specification: where the search for keys
// begins (BS) and how keys are found from there (FK).
type KeySpec struct {
	// Notes is Redis's free-text remark on the spec, often empty.
	Notes string
	Flags KeyFlags
	BS    BeginSearch
	// Index is the position of BSIndex.
	Index int
	// Keyword is searched for from StartFrom (BSKeyword); a negative
	// StartFrom counts from the end and searches backwards.
	Keyword   string
	StartFrom int
	FK        FindKeys
	// LastKey, KeyStep and Limit describe FKRange. LastKey is relative to
	// the first key, or counts from the end when negative; Limit, when not
	// 0, makes the keys 1/Limit of the remaining arguments.
	LastKey, KeyStep, Limit int
	// KeyNumIdx and FirstKey (with KeyStep) describe FKKeyNum: the count
	// of keys is at KeyNumIdx and the first key at FirstKey, both relative
	// to the begin-search position.
	KeyNumIdx, FirstKey int
}

// Doc is a command's COMMAND DOCS entry, subcommands aside.
type Doc struct {
	Summary    string
	Since      string
	Group      string
	Complexity string
	// DocFlags are "deprecated" and "syscmd".
	DocFlags        []string
	DeprecatedSince string
	ReplacedBy      string
	// History is a list of (version, change) pairs, oldest first.
	History   [][2]string
	Arguments []Arg
}

// Arg is one node of a COMMAND DOCS argument tree.
type Arg struct {
	Name string
	// Type is "string", "integer", "double", "key", "pattern",
	// "unix-time", "pure-token", "oneof" or "block".
	Type string
	// KeySpecIndex is the index in KeySpecs of the spec that finds this
	// argument, or -1 when it is not a key.
	KeySpecIndex    int
	Token           string
	Summary         string
	Since           string
	DeprecatedSince string
	// Flags are "optional", "multiple" and "multiple_token".
	Flags []string
	// Arguments are the members of a "oneof" or "block" argument.
	Arguments []Arg
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

func names(set uint64, table []string) []string {
	out := make([]string, 0, bits.OnesCount64(set))
	for i, n := range table {
		if set&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

func byName(name string, table []string) uint64 {
	for i, n := range table {
		if n == name {
			return 1 << i
		}
	}
	return 0
}
