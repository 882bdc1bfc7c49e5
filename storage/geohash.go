package storage

import "math"

// Geohashes and distances exactly as Redis 7.0 computes them, so scores,
// search areas, distances and therefore result sets and their order come
// out the same. A geo score is a 52-bit geohash: 26 bits of latitude on
// the even bit positions and 26 of longitude on the odd ones, over
// [-180, 180] x [-85.05112878, 85.05112878] (the Web Mercator square).

const (
	geoLongMin = -180
	geoLongMax = 180
	geoLatMin  = -85.05112878
	geoLatMax  = 85.05112878
	geoStepMax = 26

	earthRadiusMeters = 6372797.560856
	mercatorMax       = 20037726.37
)

// cPi is M_PI as C has it: a double, from which deg_rad's constant is
// computed in double arithmetic (Go constants would round once, exactly).
var (
	cPi = math.Pi
	dR  = cPi / 180.0
)

func degRad(ang float64) float64 { return ang * dR }
func radDeg(ang float64) float64 { return ang / dR }

// geoHashBits is a geohash of step bits per coordinate; zero bits and
// step mark an excluded neighbour.
type geoHashBits struct {
	bits uint64
	step uint
}

func (h geoHashBits) isZero() bool { return h.bits == 0 && h.step == 0 }

type geoRange struct{ min, max float64 }

type geoArea struct {
	hash      geoHashBits
	long, lat geoRange
}

var (
	geoLongRange = geoRange{geoLongMin, geoLongMax}
	geoLatRange  = geoRange{geoLatMin, geoLatMax}
)

// interleave64 spreads x's bits over the even positions and y's over the
// odd ones.
func interleave64(x, y uint32) uint64 {
	return spreadBits(x) | spreadBits(y)<<1
}

func spreadBits(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

func squashBits(x uint64) uint32 {
	x &= 0x5555555555555555
	x = (x | x>>1) & 0x3333333333333333
	x = (x | x>>2) & 0x0F0F0F0F0F0F0F0F
	x = (x | x>>4) & 0x00FF00FF00FF00FF
	x = (x | x>>8) & 0x0000FFFF0000FFFF
	x = (x | x>>16) & 0x00000000FFFFFFFF
	return uint32(x)
}

// geohashEncode hashes (long, lat) over the given ranges with step bits
// per coordinate; ok is false outside the ranges or the Mercator limits.
func geohashEncode(lr, la geoRange, long, lat float64, step uint) (geoHashBits, bool) {
	if step > 32 || step == 0 {
		return geoHashBits{}, false
	}
	if long > geoLongMax || long < geoLongMin || lat > geoLatMax || lat < geoLatMin {
		return geoHashBits{}, false
	}
	if lat < la.min || lat > la.max || long < lr.min || long > lr.max {
		return geoHashBits{step: step}, false
	}
	latOff := (lat - la.min) / (la.max - la.min)
	longOff := (long - lr.min) / (lr.max - lr.min)
	latOff *= float64(uint64(1) << step)
	longOff *= float64(uint64(1) << step)
	return geoHashBits{bits: interleave64(cUint32(latOff), cUint32(longOff)), step: step}, true
}

// cUint32 is C's double to uint32_t conversion as x86-64 code performs
// it (through a 64-bit truncation), for offsets that reach 2^step.
func cUint32(f float64) uint32 { return uint32(int64(f)) }

// cUint64 is C's double to uint64_t conversion as gcc emits it on x86-64
// (cvttsd2si, with the 2^63 adjustment), for scores that are not hashes.
func cUint64(f float64) uint64 {
	const two63 = 9223372036854775808.0
	if f >= two63 {
		return cvttsd2si(f-two63) ^ 1<<63
	}
	return cvttsd2si(f)
}

// cvttsd2si truncates to int64, giving 0x8000000000000000 for NaN and out
// of range values as the instruction does.
func cvttsd2si(f float64) uint64 {
	if f != f || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return 1 << 63
	}
	return uint64(int64(f))
}

// geohashEncodeWGS84 is the 26-step hash of a valid position.
func geohashEncodeWGS84(long, lat float64) (geoHashBits, bool) {
	return geohashEncode(geoLongRange, geoLatRange, long, lat, geoStepMax)
}

// align52 is the hash as a 52-bit score.
func (h geoHashBits) align52() uint64 { return h.bits << (52 - h.step*2) }

// geohashDecode is the area a hash covers.
func geohashDecode(lr, la geoRange, h geoHashBits) geoArea {
	// uint32 arithmetic, as in C: latBits+1 wraps for a score that is
	// no hash.
	latBits := squashBits(h.bits)
	longBits := squashBits(h.bits >> 1)
	latScale := la.max - la.min
	longScale := lr.max - lr.min
	div := float64(uint64(1) << h.step)
	return geoArea{
		hash: h,
		lat: geoRange{
			la.min + float64(float64(latBits)*1.0/div)*latScale,
			la.min + float64(float64(latBits+1)*1.0/div)*latScale,
		},
		long: geoRange{
			lr.min + float64(float64(longBits)*1.0/div)*longScale,
			lr.min + float64(float64(longBits+1)*1.0/div)*longScale,
		},
	}
}

// center is the middle of the area, clamped to the valid ranges.
func (a geoArea) center() (long, lat float64) {
	long = (a.long.min + a.long.max) / 2
	long = math.Min(math.Max(long, geoLongMin), geoLongMax)
	lat = (a.lat.min + a.lat.max) / 2
	lat = math.Min(math.Max(lat, geoLatMin), geoLatMax)
	return long, lat
}

// decodeGeoScore is decodeGeohash: the position a geo score stands for.
// Any double decodes (the hash is its C conversion to uint64), as in
// Redis, so a sorted set built with ZADD answers GEOPOS too.
func decodeGeoScore(score float64) (long, lat float64) {
	h := geoHashBits{bits: cUint64(score), step: geoStepMax}
	return geohashDecode(geoLongRange, geoLatRange, h).center()
}

// geoScore is the score GEOADD stores for a valid position.
func geoScore(long, lat float64) float64 {
	h, _ := geohashEncodeWGS84(long, lat)
	return float64(h.align52())
}

// Neighbour moves: x (longitude) is on the odd bits, y on the even ones;
// both wrap around at the edges as Redis's do.
func (h geoHashBits) moveX(d int) geoHashBits {
	if d == 0 {
		return h
	}
	x := h.bits & 0xaaaaaaaaaaaaaaaa
	y := h.bits & 0x5555555555555555
	zz := uint64(0x5555555555555555) >> (64 - h.step*2)
	if d > 0 {
		x += zz + 1
	} else {
		x |= zz
		x -= zz + 1
	}
	x &= 0xaaaaaaaaaaaaaaaa >> (64 - h.step*2)
	h.bits = x | y
	return h
}

func (h geoHashBits) moveY(d int) geoHashBits {
	if d == 0 {
		return h
	}
	x := h.bits & 0xaaaaaaaaaaaaaaaa
	y := h.bits & 0x5555555555555555
	zz := uint64(0xaaaaaaaaaaaaaaaa) >> (64 - h.step*2)
	if d > 0 {
		y += zz + 1
	} else {
		y |= zz
		y -= zz + 1
	}
	y &= 0x5555555555555555 >> (64 - h.step*2)
	h.bits = x | y
	return h
}

// Indexes of geoNeighbors, in the order Redis scans the boxes.
const (
	nbCenter = iota
	nbNorth
	nbSouth
	nbEast
	nbWest
	nbNorthEast
	nbNorthWest
	nbSouthEast
	nbSouthWest
)

// geoNeighbors is a hash and its eight neighbours, in scan order.
type geoNeighbors [9]geoHashBits

func neighborsOf(h geoHashBits) geoNeighbors {
	return geoNeighbors{
		nbCenter:    h,
		nbNorth:     h.moveY(1),
		nbSouth:     h.moveY(-1),
		nbEast:      h.moveX(1),
		nbWest:      h.moveX(-1),
		nbNorthEast: h.moveX(1).moveY(1),
		nbNorthWest: h.moveX(-1).moveY(1),
		nbSouthEast: h.moveX(1).moveY(-1),
		nbSouthWest: h.moveX(-1).moveY(-1),
	}
}

// geoShape is a search: a circle (radius) or a box (width x height)
// around a centre, in units of conversion meters.
type geoShape struct {
	box           bool
	long, lat     float64
	conversion    float64
	radius        float64
	width, height float64
	cosLat        float64
}

// boundingBox is geohashBoundingBox: min long, min lat, max long, max lat.
func (s *geoShape) boundingBox() [4]float64 {
	halfW, halfH := s.radius, s.radius
	if s.box {
		halfH, halfW = s.height/2, s.width/2
	}
	height := s.conversion * halfH
	width := s.conversion * halfW
	latDelta := radDeg(height / earthRadiusMeters)
	longDeltaTop := radDeg(width / earthRadiusMeters / crCos(degRad(s.lat+latDelta)))
	longDeltaBottom := radDeg(width / earthRadiusMeters / crCos(degRad(s.lat-latDelta)))
	var b [4]float64
	if s.lat < 0 {
		b[0], b[2] = s.long-longDeltaBottom, s.long+longDeltaBottom
	} else {
		b[0], b[2] = s.long-longDeltaTop, s.long+longDeltaTop
	}
	b[1], b[3] = s.lat-latDelta, s.lat+latDelta
	return b
}

// estimateSteps is geohashEstimateStepsByRadius: the coarsest step whose
// cells still cover the radius, one or two coarser near the poles.
func estimateSteps(meters, lat float64) uint {
	if meters == 0 {
		return 26
	}
	step := 1
	for meters < mercatorMax {
		meters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	return uint(min(max(step, 1), 26))
}

// searchAreas is geohashCalculateAreasByShapeWGS84: the centre's box at
// the estimated step (one step coarser when a neighbour falls short of
// the bounding box) and the neighbours not excluded as useless.
func (s *geoShape) searchAreas() geoNeighbors {
	b := s.boundingBox()
	minLon, minLat, maxLon, maxLat := b[0], b[1], b[2], b[3]
	meters := s.radius
	if s.box {
		meters = math.Sqrt(float64(s.width/2)*(s.width/2) + float64(s.height/2)*(s.height/2))
	}
	meters *= s.conversion
	steps := estimateSteps(meters, s.lat)
	hash, _ := geohashEncode(geoLongRange, geoLatRange, s.long, s.lat, steps)
	nb := neighborsOf(hash)
	area := geohashDecode(geoLongRange, geoLatRange, hash)
	north := geohashDecode(geoLongRange, geoLatRange, nb[nbNorth])
	south := geohashDecode(geoLongRange, geoLatRange, nb[nbSouth])
	east := geohashDecode(geoLongRange, geoLatRange, nb[nbEast])
	west := geohashDecode(geoLongRange, geoLatRange, nb[nbWest])
	decrease := north.lat.max < maxLat || south.lat.min > minLat || east.long.max < maxLon || west.long.min > minLon
	if steps > 1 && decrease {
		steps--
		hash, _ = geohashEncode(geoLongRange, geoLatRange, s.long, s.lat, steps)
		nb = neighborsOf(hash)
		area = geohashDecode(geoLongRange, geoLatRange, hash)
	}
	if steps >= 2 {
		if area.lat.min < minLat {
			nb[nbSouth], nb[nbSouthWest], nb[nbSouthEast] = geoHashBits{}, geoHashBits{}, geoHashBits{}
		}
		if area.lat.max > maxLat {
			nb[nbNorth], nb[nbNorthEast], nb[nbNorthWest] = geoHashBits{}, geoHashBits{}, geoHashBits{}
		}
		if area.long.min < minLon {
			nb[nbWest], nb[nbSouthWest], nb[nbNorthWest] = geoHashBits{}, geoHashBits{}, geoHashBits{}
		}
		if area.long.max > maxLon {
			nb[nbEast], nb[nbSouthEast], nb[nbNorthEast] = geoHashBits{}, geoHashBits{}, geoHashBits{}
		}
	}
	return nb
}

// scoreRange is the [min, max) score interval of a box's points.
func (h geoHashBits) scoreRange() (min, max float64) {
	min = float64(h.align52())
	h.bits++
	return min, float64(h.align52())
}

// geoLatDistance is the distance along a meridian.
func geoLatDistance(lat1, lat2 float64) float64 {
	return earthRadiusMeters * math.Abs(degRad(lat2)-degRad(lat1))
}

// geoDistance is Redis's haversine distance in meters.
func geoDistance(lon1, lat1, lon2, lat2 float64) float64 {
	return geoDistanceCos(lon1, lat1, lon2, lat2, nil, nil)
}

// geoDistanceCos is geoDistance with memoised cosines of the latitudes
// (the same values, computed once): a search measures every candidate
// from one centre. A nil or NaN memo is computed (and filled).
func geoDistanceCos(lon1, lat1, lon2, lat2 float64, cos1, cos2 *float64) float64 {
	lon1r, lon2r := degRad(lon1), degRad(lon2)
	v := crSin((lon2r - lon1r) / 2)
	if v == 0 {
		return geoLatDistance(lat1, lat2)
	}
	lat1r, lat2r := degRad(lat1), degRad(lat2)
	u := crSin((lat2r - lat1r) / 2)
	c1, c2 := memoCos(cos1, lat1r), memoCos(cos2, lat2r)
	a := float64(u*u) + float64(float64(float64(c1*c2)*v)*v)
	return 2.0 * earthRadiusMeters * crAsin(math.Sqrt(a))
}

func memoCos(memo *float64, x float64) float64 {
	if memo == nil {
		return crCos(x)
	}
	if *memo != *memo {
		*memo = crCos(x)
	}
	return *memo
}

// inShape reports whether the point is in s, with its distance from the
// centre in meters (geoAppendIfWithinShape).
// s.cosLat memoises the centre's cosine; it must start as NaN.
func (s *geoShape) inShape(long, lat float64) (float64, bool) {
	if !s.box {
		d := geoDistanceCos(s.long, s.lat, long, lat, &s.cosLat, nil)
		return d, d <= s.radius*s.conversion
	}
	w, h := s.width*s.conversion, s.height*s.conversion
	if geoLatDistance(lat, s.lat) > h/2 {
		return 0, false
	}
	cosLat := math.NaN()
	if geoDistanceCos(long, lat, s.long, lat, &cosLat, &cosLat) > w/2 {
		return 0, false
	}
	return geoDistanceCos(s.long, s.lat, long, lat, &s.cosLat, &cosLat), true
}

// Correctly rounded sin, cos and asin. glibc's (which Redis calls) are
// correctly rounded in all but very rare cases, while Go's math package
// is off by one ulp for a fifth of the inputs; a distance one ulp off can
// flip its "%.4f" digits, a radius test or the order of two results.
// They evaluate Taylor series in double-double arithmetic and round once.

// dd is an unevaluated sum hi+lo with |lo| <= ulp(hi)/2.
type dd struct{ hi, lo float64 }

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

// ddAddSloppy is ddAdd without the separate sum of the low parts: an
// error of about 2^-104 of the larger operand, plenty for the series.
func ddAddSloppy(x, y dd) dd {
	s := twoSum(x.hi, y.hi)
	s.lo += x.lo + y.lo
	return quickTwoSum(s.hi, s.lo)
}

func ddAdd(x, y dd) dd {
	s := twoSum(x.hi, y.hi)
	t := twoSum(x.lo, y.lo)
	s.lo += t.hi
	s = quickTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return quickTwoSum(s.hi, s.lo)
}

func ddMul(x, y dd) dd {
	p := twoProd(x.hi, y.hi)
	p.lo += x.hi*y.lo + x.lo*y.hi
	return quickTwoSum(p.hi, p.lo)
}

func ddDivF(x dd, d float64) dd {
	q1 := x.hi / d
	p := twoProd(q1, d)
	r := (x.hi - p.hi) - p.lo + x.lo
	return quickTwoSum(q1, r/d)
}

// ddSinCoef[k] = (-1)^k/(2k+1)! and ddCosCoef[k] = (-1)^k/(2k)!.
var ddSinCoef, ddCosCoef = func() ([32]dd, [32]dd) {
	var s, c [32]dd
	f := dd{1, 0} // 1/n!
	for n := 0; n < 64; n++ {
		if n > 0 {
			f = ddDivF(f, float64(n))
		}
		v := f
		if (n/2)%2 == 1 {
			v = dd{-f.hi, -f.lo}
		}
		if n%2 == 0 {
			c[n/2] = v
		} else {
			s[n/2] = v
		}
	}
	return s, c
}()

// ddSeries is sum coef[k] t^k by Horner, with enough terms for x*x = t
// up to |x| = pi.
func ddSeries(coef *[32]dd, t dd) dd {
	// Terms below 2^-120 of the leading one change nothing.
	n, p := len(coef)-1, 1.0
	for k := 1; k < len(coef); k++ {
		if p *= t.hi; p*math.Abs(coef[k].hi) < 0x1p-120 {
			n = k
			break
		}
	}
	acc := coef[n]
	for k := n - 1; k >= 0; k-- {
		acc = ddAddSloppy(ddMul(acc, t), coef[k])
	}
	return acc
}

func ddSin(x float64) dd {
	return ddMul(dd{x, 0}, ddSeries(&ddSinCoef, twoProd(x, x)))
}

func ddCos(x float64) dd { return ddSeries(&ddCosCoef, twoProd(x, x)) }

func crSin(x float64) float64 {
	if math.Abs(x) > 3.2 || x == 0 {
		return math.Sin(x)
	}
	r := ddSin(x)
	return r.hi + r.lo
}

func crCos(x float64) float64 {
	if math.Abs(x) > 3.2 {
		return math.Cos(x)
	}
	r := ddCos(x)
	return r.hi + r.lo
}

// crAsin refines Go's asin by one Newton step on sin in double-double.
func crAsin(y float64) float64 {
	t := math.Asin(y)
	if y == 0 || math.IsNaN(t) {
		return t
	}
	s := ddAdd(ddSin(t), dd{-y, 0})
	c := ddCos(t)
	d := -(s.hi + s.lo) / (c.hi + c.lo)
	r := twoSum(t, d)
	return r.hi
}
