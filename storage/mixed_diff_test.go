package storage

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The mixed differential test: seeded random sessions that draw every
// command from any family (strings and keys, hashes, lists, sets, sorted
// sets, bitmaps, ...), so commands of one type meet keys of another, run
// against redis-server and the engine with raw replies compared. A failing
// session is minimised (delta debugging over its commands, replayed from
// an empty keyspace) and printed as redis-cli input with its seed.

// diffFamily is one family's random command generator and the check that
// compares its replies (ordered exactly, or as multisets where Redis's
// order is undefined).
type diffFamily struct {
	name  string
	gen   func(*rand.Rand) []string
	check func(*diffSession, []string) bool
}

// diffFamilies lists every family's generator; a new family adds itself
// here so the mixed sessions cover it.
var diffFamilies = []diffFamily{
	{"keyspace", randomCommand, (*diffSession).check},
	{"hashes", randomHashCommand, hashCheck},
	{"lists", randomListCommand, (*diffSession).check},
	{"sets", randomSetCommand, setCheck},
	{"zsets", randomZSetCommand, zsetCheck},
	{"zsets-multi", randomZSetMultiCommand, (*diffSession).check},
	{"bitmaps", randomBitmapCommand, (*diffSession).check},
	{"streams", randomStreamCommand, streamCheck},
	{"sort", randomSortCommand, sortCheck},
	{"dump", randomDumpCommand, dumpCheck},
	{"hyperloglog", randomHLLCommand, (*diffSession).check},
	{"geo", randomGeoCommand, (*diffSession).check},
}

// diffStep is one command of a session and the check it needs.
type diffStep struct {
	args   []string
	family int
}

// quietTB records a mismatch instead of reporting it, for the replays of
// minimisation. Fatal errors (a lost connection) still stop the test.
type quietTB struct {
	testing.TB
	failed bool
}

func (q *quietTB) Helper()               {}
func (q *quietTB) Errorf(string, ...any) { q.failed = true }
func (q *quietTB) Error(...any)          { q.failed = true }

// firstDiff runs steps on a fresh session and returns the index of the
// first reply that differed, or -1.
func firstDiff(t testing.TB, rc *redisConn, proto int, steps []diffStep) int {
	q := &quietTB{TB: t}
	d := newListDiffSession(q, rc, proto)
	for i, s := range steps {
		if !diffFamilies[s.family].check(d, s.args) || q.failed {
			return i
		}
	}
	return -1
}

// replay reports whether steps, run on a fresh session, differ anywhere.
func replay(t testing.TB, rc *redisConn, proto int, steps []diffStep) bool {
	return firstDiff(t, rc, proto, steps) >= 0
}

// minimise returns a subsequence of failing steps that still fails:
// ddmin's complement pass, with chunks halving down to single commands.
func minimise(t testing.TB, rc *redisConn, proto int, failing []diffStep) []diffStep {
	cur := failing
	for chunk := len(cur) / 2; chunk >= 1; chunk /= 2 {
		for i := 0; i < len(cur); {
			end := min(i+chunk, len(cur))
			try := append(append([]diffStep(nil), cur[:i]...), cur[end:]...)
			if len(try) > 0 && replay(t, rc, proto, try) {
				cur = try
				continue
			}
			i = end
		}
	}
	return cur
}

// redisCLIScript writes steps as redis-cli input (one quoted command per
// line) so the reproduction can be pasted into both servers.
func redisCLIScript(steps []diffStep) string {
	var b strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&b, "  %s   # %s\n", quoteArgs(s.args), diffFamilies[s.family].name)
	}
	return b.String()
}

func TestDiffMixed(t *testing.T) {
	addr := startRedis(t)
	conns := map[int]*redisConn{2: dialRedis(t, addr, 2), 3: dialRedis(t, addr, 3)}
	const length = 60
	first, sessions := diffSeeds(t, 1000)
	failures := 0
	for seed := first; seed < first+sessions && failures < 3; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x313d))
		proto := 2 + rng.IntN(2)
		steps := make([]diffStep, 0, length)
		for i := 0; i < length; i++ {
			f := rng.IntN(len(diffFamilies))
			steps = append(steps, diffStep{diffFamilies[f].gen(rng), f})
		}
		i := firstDiff(t, conns[proto], proto, steps)
		if i < 0 {
			continue
		}
		failures++
		min := minimise(t, conns[proto], proto, steps[:i+1])
		// Run the minimal session once more, loudly, for the diff.
		d := newListDiffSession(t, conns[proto], proto)
		for _, s := range min {
			if !diffFamilies[s.family].check(d, s.args) {
				break
			}
		}
		t.Errorf("seed %d, RESP%d: session of %d commands minimised to %d, from a keyspace holding list=[a]:\n%s",
			seed, proto, i+1, len(min), redisCLIScript(min))
	}
}

// diffSeeds returns the first seed and the number of sessions to run:
// seeds 1 to n unless SHARDIS_DIFF_SEEDS names a range ("5000-9000") for
// a longer soak than CI's.
func diffSeeds(t testing.TB, n uint64) (first, count uint64) {
	r := os.Getenv("SHARDIS_DIFF_SEEDS")
	if r == "" {
		return 1, n
	}
	lo, hi, ok := strings.Cut(r, "-")
	a, err1 := strconv.ParseUint(lo, 10, 64)
	b, err2 := strconv.ParseUint(hi, 10, 64)
	if !ok || err1 != nil || err2 != nil || b < a {
		t.Fatalf("SHARDIS_DIFF_SEEDS=%q: want a range such as 5000-9000", r)
	}
	return a, b - a + 1
}
