package storage

import (
	"cmp"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestGeoAddPosDistHash(t *testing.T) {
	h := newHarness(t, 4)
	h.putList("list")
	h.run([]step{
		expect("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania", rInt(2)),
		expect("GEOADD", "Sicily", "CH", "13.361389", "38.115556", "Palermo", "15", "37", "Catania", rInt(1)),
		expect("GEOADD", "Sicily", "NX", "15.087269", "37.502669", "Catania", rZero),
		expect("GEOADD", "Sicily", "XX", "15.087269", "37.502669", "Catania", "0", "0", "New", rZero),
		expect("ZSCORE", "Sicily", "New", rNil),
		expect("ZSCORE", "Sicily", "Palermo", rBulk("3479099956230698")),
		expect("GEODIST", "Sicily", "Palermo", "Catania", rBulk("166274.1516")),
		expect("GEODIST", "Sicily", "Palermo", "Catania", "km", rBulk("166.2742")),
		expect("GEODIST", "Sicily", "Palermo", "Catania", "yd", rErr(ErrGeoUnsupportedUnit)),
		expect("GEODIST", "Sicily", "Palermo", "Nope", rNil),
		expect("GEODIST", "nokey", "a", "b", rNil),
		expect("GEOHASH", "Sicily", "Palermo", "Catania", "Nope", rArr(rBulk("sqc8b49rny0"), rBulk("sqdtr74hyu0"), rNil)),
		expect("GEOPOS", "Sicily", "Palermo", "Nope", rArr(rArr(rBulk("13.36138933897018433"), rBulk("38.11555639549629859")), "*-1\r\n")),
		expect("GEOADD", "g", "181", "0", "a", rErr(ErrGeoInvalidPair("181.000000", "0.000000"))),
		expect("GEOADD", "g", "x", "0", "a", rErr(ErrNotFloat)),
		expect("GEOADD", "g", "nx", "xx", "0", "0", "a", rErr(ErrSyntax)),
		expect("GEOADD", "g", "0", "0", "a", "1", rErr(ErrSyntax)),
		expect("GEOADD", "list", "0", "0", "a", rErr(ErrWrongType)),
		expect("GEOPOS", "list", "a", rErr(ErrWrongType)),
		expect("EXISTS", "g", rZero),
	})
}

func TestGeoSearchOptions(t *testing.T) {
	h := newHarness(t, 4)
	h.do("GEOADD", "g", "10", "10", "a", "10.001", "10.001", "b", "10.002", "10", "c")
	h.run([]step{
		expect("GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "ASC", rArr(rBulk("a"), rBulk("b"), rBulk("c"))),
		expect("GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "DESC", "COUNT", "1", rArr(rBulk("c"))),
		expect("GEOSEARCH", "g", "FROMLONLAT", "10", "10", "BYBOX", "100", "100", "m", "WITHDIST", rArr(rArr(rBulk("a"), rBulk("0.2508")))),
		expect("GEOSEARCH", "g", "FROMMEMBER", "zz", "BYRADIUS", "1", "km", rErr(ErrGeoMember)),
		expect("GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "-1", "km", rErr(ErrGeoRadiusNegative)),
		expect("GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "ANY", rErr(ErrGeoAnyNeedsCount)),
		expect("GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "COUNT", "0", rErr(ErrGeoCountPositive)),
		expect("geosearch", "g", "BYRADIUS", "1", "km", "ASC", "ASC", rErr(ErrGeoFromIn([]byte("geosearch")))),
		expect("GEOSEARCH", "g", "FROMMEMBER", "a", "ASC", "ASC", rErr(ErrGeoByIn([]byte("GEOSEARCH")))),
		expect("GEOSEARCH", "nokey", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "*0\r\n"),
		expect("GEORADIUSBYMEMBER", "nokey", "zz", "x", "km", "*0\r\n"),
		expect("GEORADIUS", "g", "10", "10", "1", "km", "STORE", "s", "WITHDIST", rErr(ErrGeoStoreWith)),
		expect("GEORADIUS_RO", "g", "10", "10", "1", "km", "STORE", "s", rErr(ErrSyntax)),
	})
}

// TestGeoStoreAcrossInstances stores search results into a key living on
// another instance than the source.
func TestGeoStoreAcrossInstances(t *testing.T) {
	h := newHarness(t, 4)
	keys := h.keysOnDistinctInstances("geo", 3)
	src, dst, dst2 := keys[0], keys[1], keys[2]
	h.do("GEOADD", src, "10", "10", "a", "10.001", "10.001", "b", "50", "50", "far")
	h.do("SET", dst2, "old")
	h.run([]step{
		expect("GEOSEARCHSTORE", dst, src, "FROMLONLAT", "10", "10", "BYRADIUS", "1", "km", rInt(2)),
		expect("ZRANGE", dst, "0", "-1", rArr(rBulk("a"), rBulk("b"))),
		expect("GEORADIUS", src, "10", "10", "1", "km", "STOREDIST", dst2, "ASC", rInt(2)),
		expect("TYPE", dst2, "+zset\r\n"),
		expect("ZRANGE", dst2, "0", "-1", "WITHSCORES", rArr(rBulk("a"), rBulk("0.00025075201913196747"), rBulk("b"), rBulk("0.15606615679224997"))),
		expect("GEOSEARCHSTORE", dst, src, "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km", rZero),
		expect("EXISTS", dst, rZero),
		expect("GEOSEARCHSTORE", dst2, "missing", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km", rZero),
		expect("EXISTS", dst2, rZero),
	})
}

func TestGeohashRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 10000; i++ {
		long := rng.Float64()*360 - 180
		lat := rng.Float64()*2*geoLatMax - geoLatMax
		s := geoScore(long, lat)
		if s != math.Trunc(s) || s < 0 || s >= 1<<52 {
			t.Fatalf("score %v of (%v, %v) is not a 52-bit integer", s, long, lat)
		}
		l2, la2 := decodeGeoScore(s)
		// A 26-bit cell is under 6e-6 degrees wide.
		if math.Abs(l2-long) > 6e-6 || math.Abs(la2-lat) > 3e-6 {
			t.Fatalf("(%v, %v) decodes to (%v, %v)", long, lat, l2, la2)
		}
		if geoScore(l2, la2) != s {
			t.Fatalf("the centre of %v's cell hashes elsewhere", s)
		}
	}
}

func TestGeoNeighbors(t *testing.T) {
	h, _ := geohashEncodeWGS84(0, 0)
	h.bits >>= 2 * (geoStepMax - 4)
	h.step = 4
	nb := neighborsOf(h)
	cx, cy := squashBits(h.bits>>1), squashBits(h.bits)
	for i, want := range [9][2]int{{0, 0}, {0, 1}, {0, -1}, {1, 0}, {-1, 0}, {1, 1}, {-1, 1}, {1, -1}, {-1, -1}} {
		x, y := squashBits(nb[i].bits>>1), squashBits(nb[i].bits)
		if int(x)-int(cx) != want[0] || int(y)-int(cy) != want[1] {
			t.Errorf("neighbour %d at (%d,%d) from (%d,%d), want offset %v", i, x, y, cx, cy, want)
		}
	}
}

// TestPQSortPrefix checks that the partial quicksort puts the smallest n
// elements first, in order, for many sizes with many ties.
func TestPQSortPrefix(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for trial := 0; trial < 500; trial++ {
		pts := make([]geoPoint, 1+rng.IntN(120))
		for i := range pts {
			pts[i].dist = float64(rng.IntN(20))
		}
		want := slices.Clone(pts)
		slices.SortFunc(want, func(a, b geoPoint) int { return cmp.Compare(a.dist, b.dist) })
		n := 1 + rng.IntN(len(pts))
		pqsort(pts, func(x, y *geoPoint) int { return geoCmpAsc(*x, *y) }, 0, n-1)
		for i := 0; i < n; i++ {
			if pts[i].dist != want[i].dist {
				t.Fatalf("len %d, n %d: position %d holds %v, want %v", len(pts), n, i, pts[i].dist, want[i].dist)
			}
		}
	}
}

// TestCorrectlyRounded compares crSin, crCos and crAsin with 300-bit
// Taylor series.
func TestCorrectlyRounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for i := 0; i < 2000; i++ {
		x := (rng.Float64()*2 - 1) * 3.1
		if got, want := crSin(x), bigSeries(x, true); got != want {
			t.Fatalf("crSin(%v) = %v, want %v", x, got, want)
		}
		if got, want := crCos(x), bigSeries(x, false); got != want {
			t.Fatalf("crCos(%v) = %v, want %v", x, got, want)
		}
		y := rng.Float64()
		a := crAsin(y)
		// a is right when y lies between the sines of the midpoints
		// to its neighbours.
		by := new(big.Float).SetPrec(300).SetFloat64(y)
		if bigSeriesF(midpoint(a, -1), true).Cmp(by) > 0 || bigSeriesF(midpoint(a, 2), true).Cmp(by) < 0 {
			t.Fatalf("crAsin(%v) = %v is not the nearest double", y, a)
		}
	}
}

func bigSeries(x float64, sin bool) float64 {
	f, _ := bigSeriesF(new(big.Float).SetPrec(300).SetFloat64(x), sin).Float64()
	return f
}

// midpoint is the exact middle of a and its neighbour towards dir.
func midpoint(a, dir float64) *big.Float {
	m := new(big.Float).SetPrec(300).SetFloat64(a)
	m.Add(m, new(big.Float).SetPrec(300).SetFloat64(math.Nextafter(a, dir)))
	return m.Quo(m, big.NewFloat(2))
}

func bigSeriesF(bx *big.Float, sin bool) *big.Float {
	const prec = 300
	x2 := new(big.Float).SetPrec(prec).Mul(bx, bx)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	k := int64(0)
	if sin {
		term.Set(bx)
		k = 1
	}
	sum := new(big.Float).SetPrec(prec).Set(term)
	for ; k < 160; k += 2 {
		term.Mul(term, x2)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64((k+1)*(k+2)))
		term.Neg(term)
		sum.Add(sum, term)
	}
	return sum
}
