package storage

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Differential tests of the geo family against redis-server (see
// diff_test.go): raw reply bytes, so coordinates, distances, hashes and
// the order of search results must all be Redis's.

// geoDiffScripts run from a keyspace holding only "list", a list.
var geoDiffScripts = [][][]string{
	{{"GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"},
		{"GEODIST", "Sicily", "Palermo", "Catania"}, {"GEODIST", "Sicily", "Palermo", "Catania", "km"},
		{"GEODIST", "Sicily", "Palermo", "Catania", "MI"}, {"GEODIST", "Sicily", "Palermo", "Catania", "ft"},
		{"GEODIST", "Sicily", "Foo", "Bar"}, {"GEODIST", "Sicily", "Palermo", "Catania", "yd"},
		{"GEODIST", "Sicily", "Palermo", "Catania", "km", "x"}, {"GEODIST", "nokey", "a", "b"}, {"GEODIST", "list", "a", "b"},
		{"GEOHASH", "Sicily", "Palermo", "Catania", "nope"}, {"GEOHASH", "nokey", "a"}, {"GEOHASH", "Sicily"},
		{"GEOPOS", "Sicily", "Palermo", "Catania", "NonExisting"}, {"GEOPOS", "nokey", "a"}, {"GEOPOS", "list", "a"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST"}, {"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHCOORD"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "WITHHASH"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "COUNT", "1"},
		{"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "DESC"},
		{"GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "WITHDIST"},
		{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"},
		{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "ASC", "WITHCOORD", "WITHDIST", "WITHHASH"},
		{"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "100", "100", "km"}},
	{{"GEOADD", "g", "181", "0", "a"}, {"GEOADD", "g", "0", "85.06", "a"}, {"GEOADD", "g", "-180", "-85.05112878", "a"},
		{"GEOADD", "g", "180", "85.05112878", "b"}, {"GEOPOS", "g", "a", "b"}, {"GEOHASH", "g", "a", "b"},
		{"GEOADD", "g", "x", "0", "a"}, {"GEOADD", "g", "0", "x", "a"}, {"GEOADD", "g", "0", "0", "a", "1"}, {"GEOADD", "g", "nx", "xx", "0", "0", "a"},
		{"GEOADD", "g", "nx", "ch", "ch"}, {"GEOADD", "g", "xx", "ch", "1", "1", "a", "2", "2", "c"}, {"GEOADD", "g", "nx", "3", "3", "a", "4", "4", "d"},
		{"GEOADD", "g", "inf", "0", "z"}, {"GEOADD", "g", "0", "-inf", "z"}, {"GEOADD", "list", "0", "0", "a"},
		{"GEOADD", "list", "0", "999", "a"}, {"GEOADD", "g", "CH", "0", "0", "a", "0", "0", "e"}, {"ZRANGE", "g", "0", "-1", "WITHSCORES"},
		{"GEOADD", "new", "xx", "1", "1", "a"}, {"EXISTS", "new"}, {"GEOPOS", "g", "a", "e"}},
	{{"GEOADD", "g", "10", "10", "a", "10.001", "10.001", "b"}, {"GEOSEARCH", "g", "FROMLONLAT", "10", "10", "WITHDIST", "WITHHASH"},
		{"GEOSEARCH", "g", "BYRADIUS", "10", "km", "WITHDIST", "ASC"}, {"GEOSEARCH", "g", "FROMMEMBER", "zz", "BYRADIUS", "1", "km"},
		{"GEOSEARCH", "nokey", "FROMMEMBER", "zz", "BYRADIUS", "1", "km"}, {"GEOSEARCH", "nokey", "FROMMEMBER", "zz", "ASC", "DESC", "WITHDIST"},
		{"GEOSEARCH", "g", "FROMMEMBER", "a", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"},
		{"GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"},
		{"GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "-1", "km"}, {"GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "x", "km"},
		{"GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "yd"}, {"GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "-1", "1", "km"},
		{"GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "x", "1", "km"}, {"GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "x", "km"},
		{"GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "COUNT", "0"},
		{"GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "COUNT", "x"},
		{"GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "ANY"},
		{"GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "COUNT", "1", "ANY"},
		{"GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "STORE", "x"},
		{"GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "STOREDIST"},
		{"geoSearch", "g", "FROMLONLAT", "200", "1", "BYRADIUS", "1", "km"}, {"geoSearch", "g", "BYRADIUS", "1", "km", "ASC", "ASC"},
		{"GEOSEARCH", "list", "FROMMEMBER", "a", "BYRADIUS", "1", "km"}, {"GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "WITHDIST", "DESC"}},
	{{"GEOADD", "src", "10", "10", "a", "10.001", "10.001", "b", "10.002", "10.0", "c"},
		{"GEOSEARCHSTORE", "dst", "src", "FROMMEMBER", "a", "BYRADIUS", "1", "km"}, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
		{"GEOSEARCHSTORE", "dst", "src", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "STOREDIST"}, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
		{"GEOSEARCHSTORE", "dst", "src", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "WITHDIST"},
		{"GEOSEARCHSTORE", "dst", "src", "FROMMEMBER", "a", "BYRADIUS", "1", "m", "COUNT", "1", "DESC"},
		{"GEOSEARCHSTORE", "dst", "nokey", "FROMMEMBER", "a", "BYRADIUS", "1", "km"}, {"EXISTS", "dst"},
		{"GEOSEARCHSTORE", "list", "src", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"}, {"TYPE", "list"},
		{"GEORADIUS", "src", "10", "10", "5", "km", "STORE", "r1"}, {"ZRANGE", "r1", "0", "-1", "WITHSCORES"},
		{"GEORADIUS", "src", "10", "10", "5", "km", "STOREDIST", "r2", "COUNT", "2"}, {"ZRANGE", "r2", "0", "-1", "WITHSCORES"},
		{"GEORADIUS", "src", "10", "10", "5", "km", "STORE", "r1", "WITHDIST"}, {"GEORADIUS_RO", "src", "10", "10", "5", "km", "STORE", "r1"},
		{"GEORADIUSBYMEMBER", "src", "a", "5", "km", "STORE", "r3"}, {"GEORADIUSBYMEMBER_RO", "src", "a", "5", "km", "ASC", "WITHDIST"},
		{"GEORADIUSBYMEMBER", "src", "zz", "5", "km"}, {"GEORADIUSBYMEMBER", "nokey", "zz", "x", "km"},
		{"GEORADIUSBYMEMBER", "nokey", "zz", "5", "km", "STORE", "r3"}, {"EXISTS", "r3"},
		{"GEORADIUS", "nokey", "0", "0", "5", "km"}, {"GEORADIUS", "nokey", "0", "100", "5", "km"}, {"GEORADIUS", "src", "0", "0", "5", "km"},
		{"GEORADIUS", "src", "10", "10", "5", "km", "STORE"}, {"GEORADIUS", "src", "10", "10", "5", "km", "COUNT"}},
}

// geoOddScores are sorted sets built by ZADD whose scores are no
// geohashes: negative, fractional, past 2^52, infinite.
var geoOddScores = [][][]string{
	{{"ZADD", "z", "-1", "neg", "0.5", "half", "4503599627370496", "p52", "9007199254740993", "p53", "1e20", "big", "inf", "inf",
		"-inf", "ninf", "0", "zero", "1e300", "huge", "-1e19", "nbig"},
		{"GEOPOS", "z", "neg", "half", "p52", "p53", "big", "inf", "ninf", "zero", "huge", "nbig"},
		{"GEOHASH", "z", "neg", "half", "p52", "p53", "big", "inf", "ninf", "zero", "huge", "nbig"},
		{"GEODIST", "z", "neg", "half"}, {"GEODIST", "z", "inf", "zero", "km"}, {"GEODIST", "z", "p53", "big", "mi"},
		{"GEOSEARCH", "z", "FROMMEMBER", "zero", "BYRADIUS", "20000", "km", "WITHHASH", "WITHCOORD", "WITHDIST"},
		{"GEOSEARCH", "z", "FROMMEMBER", "inf", "BYBOX", "40000", "40000", "km", "WITHHASH", "ASC"},
		{"GEORADIUSBYMEMBER", "z", "big", "1", "m", "WITHHASH"}},
}

func TestGeoDiffScripts(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		rc := dialRedis(t, addr, proto)
		for _, script := range append(geoDiffScripts, geoOddScores...) {
			d := newDiffSession(t, rc, proto)
			for _, args := range script {
				if !d.check(args) {
					break
				}
			}
		}
	}
}

// geoRandCoord draws a coordinate around c within spread degrees,
// clamped to the valid range, with 6 decimals as clients send them.
func geoRandCoord(rng *rand.Rand, c, spread, lo, hi float64) string {
	v := c + (rng.Float64()*2-1)*spread
	v = math.Max(lo, math.Min(hi, v))
	return strconv.FormatFloat(v, 'f', 1+rng.IntN(8), 64)
}

var geoUnits = []string{"m", "km", "ft", "mi", "KM", "Mi"}

// geoRandomQuery draws a search with random options.
func geoRandomQuery(rng *rand.Rand, clon, clat, spread float64, members []string) []string {
	unit := geoUnits[rng.IntN(len(geoUnits))]
	conv := map[string]float64{"m": 1, "km": 1000, "ft": 0.3048, "mi": 1609.34, "KM": 1000, "Mi": 1609.34}[unit]
	// Radii from tiny to a good part of the spread (1 degree ~ 111 km).
	meters := math.Exp(rng.Float64()*math.Log(spread*111000*2+10)) + rng.Float64()
	dist := strconv.FormatFloat(meters/conv, 'f', rng.IntN(5), 64)
	lon := geoRandCoord(rng, clon, spread, -180, 180)
	lat := geoRandCoord(rng, clat, spread, -85.05112878, 85.05112878)
	member := members[rng.IntN(len(members))]
	var args []string
	store := false
	switch rng.IntN(8) {
	case 0:
		args = []string{"GEORADIUS", "g", lon, lat, dist, unit}
	case 1:
		args = []string{"GEORADIUSBYMEMBER_RO", "g", member, dist, unit}
	case 2:
		args = []string{"GEOSEARCH", "g", "FROMMEMBER", member, "BYRADIUS", dist, unit}
	case 3:
		w := strconv.FormatFloat(meters/conv*(0.2+rng.Float64()*2), 'f', 2, 64)
		args = []string{"GEOSEARCH", "g", "FROMLONLAT", lon, lat, "BYBOX", w, dist, unit}
	case 4:
		args = []string{"GEOSEARCHSTORE", "dst", "g", "FROMLONLAT", lon, lat, "BYRADIUS", dist, unit}
		store = true
	case 5:
		args = []string{"GEOSEARCH", "g", "FROMLONLAT", lon, lat, "BYRADIUS", dist, unit}
	case 6:
		// GEORADIUS's own store options; results are read back below.
		args = []string{"GEORADIUSBYMEMBER", "g", member, dist, unit, pick(rng, []string{"STORE", "STOREDIST"}), "dst"}
		store = true
	default:
		args = []string{"GEORADIUS_RO", "g", lon, lat, dist, unit}
	}
	if args[0] == "GEOSEARCHSTORE" && rng.IntN(2) == 0 {
		args = append(args, "STOREDIST")
	} else if !store {
		for _, o := range []string{"WITHDIST", "WITHCOORD", "WITHHASH"} {
			if rng.IntN(3) == 0 {
				args = append(args, o)
			}
		}
	}
	switch rng.IntN(4) {
	case 0:
		args = append(args, "ASC")
	case 1:
		args = append(args, "DESC")
	}
	if rng.IntN(3) == 0 {
		args = append(args, "COUNT", strconv.Itoa(1+rng.IntN(20)))
		if rng.IntN(3) == 0 {
			args = append(args, "ANY")
		}
	}
	return args
}

// TestGeoDiffRandom builds seeded random indexes (small listpacks and
// skiplists, clustered points with exact duplicates so distances tie,
// near the poles and the antimeridian too) and compares searches of every
// form, with and without ordering and COUNT, plus GEODIST, GEOPOS and
// GEOHASH of random members.
func TestGeoDiffRandom(t *testing.T) {
	addr := startRedis(t)
	conns := map[int]*redisConn{2: dialRedis(t, addr, 2), 3: dialRedis(t, addr, 3)}
	seeds := uint64(200)
	if testing.Short() {
		seeds = 10
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x6e0))
		d := newDiffSession(t, conns[2+rng.IntN(2)], 0)
		d.proto = 2
		if d.rc == conns[3] {
			d.proto = 3
		}
		clon := rng.Float64()*360 - 180
		clat := rng.Float64()*170 - 85
		switch seed % 5 {
		case 0:
			clon = 179.9
		case 1:
			clat = 84 - rng.Float64()*20
		}
		spread := []float64{0.001, 0.05, 1, 10, 60}[rng.IntN(5)]
		n := []int{3, 20, 100, 300}[rng.IntN(4)]
		var members []string
		var coords [][2]string
		ok := true
		for i := 0; i < n && ok; i += 20 {
			args := []string{"GEOADD", "g"}
			for j := i; j < min(n, i+20); j++ {
				m := "m" + strconv.Itoa(j)
				members = append(members, m)
				xy := [2]string{geoRandCoord(rng, clon, spread, -180, 180), geoRandCoord(rng, clat, spread, -85.05112878, 85.05112878)}
				if len(coords) > 0 && rng.IntN(6) == 0 {
					xy = coords[rng.IntN(len(coords))] // a duplicate position: distances tie
				}
				coords = append(coords, xy)
				args = append(args, xy[0], xy[1], m)
			}
			ok = d.check(args)
		}
		for q := 0; q < 40 && ok; q++ {
			args := geoRandomQuery(rng, clon, clat, spread, members)
			ok = d.check(args)
			if ok && (args[0] == "GEOSEARCHSTORE" || args[0] == "GEORADIUSBYMEMBER") {
				ok = geoCheckStored(d, slices.Contains(args, "STOREDIST"))
			}
			if ok && q%8 == 0 {
				m1, m2 := members[rng.IntN(len(members))], members[rng.IntN(len(members))]
				ok = d.check([]string{"GEODIST", "g", m1, m2, geoUnits[rng.IntN(len(geoUnits))]}) &&
					d.check([]string{"GEOPOS", "g", m1, m2, "nope"}) && d.check([]string{"GEOHASH", "g", m1, m2})
			}
		}
		if !ok {
			t.Logf("seed %d", seed)
		}
	}
}

// geoCheckStored compares the set GEOSEARCHSTORE wrote. Stored distances
// (STOREDIST) show every bit of a double, and glibc's sin, cos and asin,
// which Redis calls, are not correctly rounded: about one call in 700 is
// one ulp off the true value (ours are correctly rounded). So stored
// distances are compared to within 4 ulps; members, their order and
// everything else byte for byte.
func geoCheckStored(d *diffSession, dist bool) bool {
	d.t.Helper()
	args := []string{"ZRANGE", "dst", "0", "-1", "WITHSCORES"}
	if !dist {
		return d.check(args)
	}
	d.log = append(d.log, quoteArgs(args))
	want := string(d.rc.do(d.t, args))
	got := string(d.h.exec(d.proto, byteArgs(args)))
	gl, wl := strings.Split(got, "\r\n"), strings.Split(want, "\r\n")
	same := len(gl) == len(wl)
	for i := 0; same && i < len(gl); i++ {
		// Bulk lengths may differ with the digits; the strings follow.
		if gl[i] == wl[i] || strings.HasPrefix(gl[i], "$") && strings.HasPrefix(wl[i], "$") {
			continue
		}
		g, err1 := strconv.ParseFloat(strings.TrimPrefix(gl[i], ","), 64)
		w, err2 := strconv.ParseFloat(strings.TrimPrefix(wl[i], ","), 64)
		same = err1 == nil && err2 == nil && math.Abs(g-w) <= 4*ulp(w)
	}
	if !same {
		d.t.Errorf("RESP%d stored distances differ from redis-server:\n  got  %q\n  want %q\nsession:\n  %s",
			d.proto, got, want, strings.Join(d.log, "\n  "))
	}
	return same
}

func ulp(f float64) float64 { return math.Nextafter(math.Abs(f), math.Inf(1)) - math.Abs(f) }

// randomGeoCommand draws a geo command for the mixed sessions
// (mixed_diff_test.go), on keys other families use too. STOREDIST is
// left to TestGeoDiffRandom, which allows for glibc's last-ulp errors.
func randomGeoCommand(rng *rand.Rand) []string {
	keys := []string{"k1", "k2", "{t}a", "{t}b", "list", "geo"}
	key := func() string { return pick(rng, keys) }
	member := func() string { return pick(rng, []string{"a", "b", "c", "d", "1", ""}) }
	coord := func(max float64) string {
		return strconv.FormatFloat((rng.Float64()*2-1)*max, 'f', rng.IntN(6), 64)
	}
	unit := func() string { return pick(rng, []string{"m", "km", "ft", "mi", "KM", "yd"}) }
	radius := func() string { return pick(rng, []string{"0", "10", "1000", "500000", "-1", "x", "20000000"}) }
	switch rng.IntN(9) {
	case 0, 1, 2:
		args := []string{"GEOADD", key()}
		if rng.IntN(3) == 0 {
			args = append(args, pick(rng, []string{"NX", "XX", "CH"}))
		}
		for n := 1 + rng.IntN(3); n > 0; n-- {
			args = append(args, coord(5), coord(5), member())
		}
		return args
	case 3:
		return []string{"GEODIST", key(), member(), member(), unit()}
	case 4:
		return []string{pick(rng, []string{"GEOPOS", "GEOHASH"}), key(), member(), member()}
	case 5:
		return []string{"GEOSEARCH", key(), "FROMMEMBER", member(), "BYRADIUS", radius(), unit(), "WITHDIST", "WITHCOORD"}
	case 6:
		return []string{"GEOSEARCH", key(), "FROMLONLAT", coord(5), coord(5), "BYBOX", radius(), radius(), unit(), "ASC", "WITHHASH"}
	case 7:
		return []string{"GEOSEARCHSTORE", key(), key(), "FROMLONLAT", coord(5), coord(5), "BYRADIUS", radius(), unit(), "COUNT", "2"}
	}
	return []string{"GEORADIUS", key(), coord(5), coord(5), radius(), unit(), "STORE", key()}
}
