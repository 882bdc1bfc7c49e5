package configs

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Client classes of client-output-buffer-limit, in the order Redis
// prints them.
const (
	classNormal = iota
	classReplica
	classPubSub
	numClasses
)

// classNames are the names CONFIG GET prints. Redis 7.0 still says
// "slave" there while accepting "replica" on input.
var classNames = [numClasses]string{"normal", "slave", "pubsub"}

// bufferLimit is one class of client-output-buffer-limit. Zero means no
// limit. The byte counts are unsigned because Redis's are: CONFIG GET
// must print what Redis prints even for absurd values.
type bufferLimit struct {
	hard, soft  uint64
	softSeconds int
}

type bufferLimits [numClasses]bufferLimit

// The errors of Redis's setConfigClientOutputBufferLimitOption, verbatim
// (capitals and full stops included) because clients see them.
var (
	errLimitArity = errors.New("Wrong number of arguments in buffer limit configuration.")
	errLimitClass = errors.New("Invalid client class specified in buffer limit configuration.")
	errLimitValue = errors.New("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
)

// bufferLimitsKind parses "<class> <hard> <soft> <soft-seconds> ...".
// Classes not named keep their value, so one class can be changed alone.
type bufferLimitsKind struct {
	field func(*values) *bufferLimits
}

func outputBufferLimits(field func(*values) *bufferLimits) bufferLimitsKind {
	return bufferLimitsKind{field: field}
}

func (k bufferLimitsKind) set(v *values, s string) error {
	// Redis splits on single spaces (sdssplitlen), so a double space
	// makes an empty field and "" makes no fields at all.
	var f []string
	if s != "" {
		f = strings.Split(s, " ")
	}
	if len(f)%4 != 0 {
		return errLimitArity
	}
	// Check every class before changing any: all or nothing.
	next := *k.field(v)
	for i := 0; i < len(f); i += 4 {
		class := classByName(f[i])
		if class < 0 {
			return errLimitClass
		}
		hard, okHard := memtoull(f[i+1])
		soft, okSoft := memtoull(f[i+2])
		secs, okSecs := parseSoftSeconds(f[i+3])
		if !okHard || !okSoft || !okSecs {
			return errLimitValue
		}
		next[class] = bufferLimit{hard: hard, soft: soft, softSeconds: secs}
	}
	*k.field(v) = next
	return nil
}

func (k bufferLimitsKind) get(v *values) string {
	var b strings.Builder
	for class, l := range k.field(v) {
		if class > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s %d %d %d", classNames[class], l.hard, l.soft, l.softSeconds)
	}
	return b.String()
}

func (bufferLimitsKind) syntax() string {
	return "<class> <hard> <soft> <soft-seconds> ..., class normal|replica|pubsub"
}

// classByName is Redis's getClientTypeByName minus "master", which
// CONFIG SET rejects as a class.
func classByName(name string) int {
	switch {
	case equalFoldASCII(name, "normal"):
		return classNormal
	case equalFoldASCII(name, "slave"), equalFoldASCII(name, "replica"):
		return classReplica
	case equalFoldASCII(name, "pubsub"):
		return classPubSub
	}
	return -1
}

// parseSoftSeconds reads soft-seconds the way Redis's strtoll does:
// leading whitespace, an optional sign, and an empty field meaning 0.
// Redis then truncates the result to an int, turning 4294967296 into 0;
// values past math.MaxInt32 are rejected here instead.
func parseSoftSeconds(s string) (int, bool) {
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(strings.TrimLeftFunc(s, isSpace), 10, 64)
	if err != nil || n < 0 || n > math.MaxInt32 {
		return 0, false
	}
	return int(n), true
}

// clampInt64 converts a Redis unsigned byte count for callers that
// compare it with int64 buffer sizes.
func clampInt64(u uint64) int64 {
	if u > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(u)
}
