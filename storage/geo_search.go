package storage

import (
	"math"
	"slices"
)

// GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and the _RO
// forms share Redis's georadiusGeneric: the same argument parser (errors
// come in the same order), the same box scan and the same sorts. Without
// ASC or DESC the order is the scan's: boxes in Redis's neighbour order,
// each box's score range in ascending order. ASC/DESC sort stably (glibc's
// qsort is a merge sort) unless COUNT cuts the result, where Redis's own
// partial quicksort runs and decides the order of equal distances.

// Search kinds (georadiusGeneric's flags).
const (
	geoRadiusCoords = 1 << iota
	geoRadiusMember
	geoNoStore
	geoSearch
	geoSearchStore
)

const (
	geoSortNone = iota
	geoSortAsc
	geoSortDesc
)

// geoQuery is a parsed search.
type geoQuery struct {
	shape                         geoShape
	withDist, withHash, withCoord bool
	any                           bool
	sort                          int
	count                         int64
	storeKey                      []byte
	storeDist                     bool
}

// geoPoint is one match.
type geoPoint struct {
	long, lat, dist, score float64
	member                 string
}

// GEORADIUS key longitude latitude radius unit [options]
func cmdGeoRadius(c *Ctx) { geoSearchGeneric(c, 1, geoRadiusCoords) }

func cmdGeoRadiusRO(c *Ctx) { geoSearchGeneric(c, 1, geoRadiusCoords|geoNoStore) }

// GEORADIUSBYMEMBER key member radius unit [options]
func cmdGeoRadiusByMember(c *Ctx) { geoSearchGeneric(c, 1, geoRadiusMember) }

func cmdGeoRadiusByMemberRO(c *Ctx) { geoSearchGeneric(c, 1, geoRadiusMember|geoNoStore) }

// GEOSEARCH key FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r unit|BYBOX w h unit [options]
func cmdGeoSearch(c *Ctx) { geoSearchGeneric(c, 1, geoSearch) }

// GEOSEARCHSTORE dest src ... [STOREDIST]
func cmdGeoSearchStore(c *Ctx) { geoSearchGeneric(c, 2, geoSearch|geoSearchStore) }

// parseDistance is extractDistanceOrReply: a non-negative radius and its
// unit.
func parseDistance(args [][]byte) (radius, conv float64, err error) {
	radius, ok := parseScore(args[0])
	if !ok {
		return 0, 0, replyError(ErrGeoNeedRadius)
	}
	if radius < 0 {
		return 0, 0, replyError(ErrGeoRadiusNegative)
	}
	conv, err = parseUnit(args[1])
	return radius, conv, err
}

// parseBox is extractBoxOrReply: width, height and their unit.
func parseBox(args [][]byte) (w, h, conv float64, err error) {
	w, ok := parseScore(args[0])
	if !ok {
		return 0, 0, 0, replyError(ErrGeoNeedWidth)
	}
	if h, ok = parseScore(args[1]); !ok {
		return 0, 0, 0, replyError(ErrGeoNeedHeight)
	}
	if h < 0 || w < 0 {
		return 0, 0, 0, replyError(ErrGeoBoxNegative)
	}
	conv, err = parseUnit(args[2])
	return w, h, conv, err
}

// memberPos is longLatFromMember.
func memberPos(z *zsetValue, m []byte) (long, lat float64, err error) {
	s, ok := z.score(m)
	if !ok {
		return 0, 0, replyError(ErrGeoMember)
	}
	long, lat = decodeGeoScore(s)
	return long, lat, nil
}

// parseGeoQuery parses everything after the source key as
// georadiusGeneric does, z being the source (nil when missing).
func parseGeoQuery(c *Ctx, z *zsetValue, flags int) (*geoQuery, error) {
	q := &geoQuery{shape: geoShape{cosLat: math.NaN()}}
	s := &q.shape
	args := c.Args
	var base int
	var err error
	switch {
	case flags&geoRadiusCoords != 0:
		base = 6
		if s.long, s.lat, err = parseLongLat(args[2:]); err != nil {
			return nil, err
		}
		if s.radius, s.conversion, err = parseDistance(args[4:]); err != nil {
			return nil, err
		}
	case flags&geoRadiusMember != 0:
		base = 5
		if z != nil {
			if s.long, s.lat, err = memberPos(z, args[2]); err != nil {
				return nil, err
			}
			if s.radius, s.conversion, err = parseDistance(args[3:]); err != nil {
				return nil, err
			}
		}
	default:
		base = 2
		if flags&geoSearchStore != 0 {
			base = 3
			q.storeKey = args[1]
		}
	}
	search := flags&geoSearch != 0
	var fromMember, fromLoc, byRadius, byBox bool
	rest := args[base:]
	for i := 0; i < len(rest); i++ {
		a, left := rest[i], len(rest)-i-1
		switch {
		case isOpt(a, "withdist"):
			q.withDist = true
		case isOpt(a, "withhash"):
			q.withHash = true
		case isOpt(a, "withcoord"):
			q.withCoord = true
		case isOpt(a, "any"):
			q.any = true
		case isOpt(a, "asc"):
			q.sort = geoSortAsc
		case isOpt(a, "desc"):
			q.sort = geoSortDesc
		case isOpt(a, "count") && left >= 1:
			n, ok := parseCanonicalInt(rest[i+1])
			if !ok {
				return nil, errNotInteger
			}
			if n <= 0 {
				return nil, replyError(ErrGeoCountPositive)
			}
			q.count = n
			i++
		case (isOpt(a, "store") || isOpt(a, "storedist")) && left >= 1 && flags&(geoNoStore|geoSearch) == 0:
			q.storeKey = rest[i+1]
			q.storeDist = isOpt(a, "storedist")
			i++
		case isOpt(a, "storedist") && flags&geoSearchStore != 0:
			q.storeDist = true
		case isOpt(a, "frommember") && left >= 1 && search && !fromLoc:
			if z != nil {
				if s.long, s.lat, err = memberPos(z, rest[i+1]); err != nil {
					return nil, err
				}
			}
			fromMember = true
			i++
		case isOpt(a, "fromlonlat") && left >= 2 && search && !fromMember:
			if s.long, s.lat, err = parseLongLat(rest[i+1:]); err != nil {
				return nil, err
			}
			fromLoc = true
			i += 2
		case isOpt(a, "byradius") && left >= 2 && search && !byBox:
			if s.radius, s.conversion, err = parseDistance(rest[i+1:]); err != nil {
				return nil, err
			}
			s.box = false
			byRadius = true
			i += 2
		case isOpt(a, "bybox") && left >= 3 && search && !byRadius:
			if s.width, s.height, s.conversion, err = parseBox(rest[i+1:]); err != nil {
				return nil, err
			}
			s.box = true
			byBox = true
			i += 3
		default:
			return nil, errSyntax
		}
	}
	switch {
	case q.storeKey != nil && (q.withDist || q.withHash || q.withCoord):
		if flags&geoSearchStore != 0 {
			return nil, replyError(ErrGeoSearchStoreWith)
		}
		return nil, replyError(ErrGeoStoreWith)
	case search && !fromMember && !fromLoc:
		return nil, replyError(ErrGeoFromIn(args[0]))
	case search && !byRadius && !byBox:
		return nil, replyError(ErrGeoByIn(args[0]))
	case q.any && q.count == 0:
		return nil, replyError(ErrGeoAnyNeedsCount)
	}
	return q, nil
}

func geoSearchGeneric(c *Ctx, srcIdx, flags int) {
	ks := &c.KS
	z, err := readZSet(ks, c.Args[srcIdx])
	if err != nil {
		writeErr(c, err)
		return
	}
	q, err := parseGeoQuery(c, z, flags)
	if err != nil {
		writeErr(c, err)
		return
	}
	if z == nil {
		if q.storeKey != nil {
			ks.Delete(q.storeKey)
			c.W.Int(0)
		} else {
			c.W.Array(0)
		}
		return
	}
	if q.count != 0 && q.sort == geoSortNone && !q.any {
		q.sort = geoSortAsc
	}
	var limit int64
	if q.any {
		limit = q.count
	}
	pts := geoMembersInAreas(z, &q.shape, limit)
	if len(pts) == 0 && q.storeKey == nil {
		c.W.Array(0)
		return
	}
	n := len(pts)
	if q.count != 0 && int64(n) > q.count {
		n = int(q.count)
	}
	if q.sort != geoSortNone {
		cmp := geoCmpAsc
		if q.sort == geoSortDesc {
			cmp = geoCmpDesc
		}
		if n == len(pts) {
			slices.SortStableFunc(pts, cmp)
		} else {
			pqsort(pts, func(x, y *geoPoint) int { return cmp(*x, *y) }, 0, n-1)
		}
	}
	pts = pts[:n]
	for i := range pts {
		pts[i].dist /= q.shape.conversion
	}
	if q.storeKey != nil {
		es := make([]zentry, len(pts))
		for i, p := range pts {
			es[i] = zentry{member: p.member, score: p.score}
			if q.storeDist {
				es[i].score = p.dist
			}
		}
		c.W.Int(storeZSet(ks, q.storeKey, es))
		return
	}
	writeGeoPoints(c, q, pts)
}

func writeGeoPoints(c *Ctx, q *geoQuery, pts []geoPoint) {
	opts := 0
	for _, on := range []bool{q.withDist, q.withHash, q.withCoord} {
		if on {
			opts++
		}
	}
	c.W.Array(len(pts))
	for _, p := range pts {
		if opts > 0 {
			c.W.Array(opts + 1)
		}
		c.W.BulkString(p.member)
		if q.withDist {
			writeDistance(c, p.dist)
		}
		if q.withHash {
			c.W.Int(int64(cvttsd2si(p.score)))
		}
		if q.withCoord {
			c.W.Array(2)
			writeHumanCoord(c, p.long)
			writeHumanCoord(c, p.lat)
		}
	}
}

// geoMembersInAreas is membersOfAllNeighbors: the members of s's search
// boxes that fall in s, box by box, each box's scores ascending. A box
// equal to the last one scanned is skipped (huge radii make neighbours
// coincide); limit (ANY) stops the scan once that many matched.
func geoMembersInAreas(z *zsetValue, s *geoShape, limit int64) []geoPoint {
	nb := s.searchAreas()
	var pts []geoPoint
	last := 0
	full := func() bool { return limit > 0 && int64(len(pts)) >= limit }
	for i, h := range nb {
		if h.isZero() {
			continue
		}
		if last != 0 && h == nb[last] {
			continue
		}
		if len(pts) > 0 && full() {
			break
		}
		min, max := h.scoreRange()
		lo, hi := scoreSpan(z, scoreRange{min: min, max: max, maxex: true})
		if lo <= hi {
			z.each(lo, hi, false, func(e zentry) bool {
				long, lat := decodeGeoScore(e.score)
				d, ok := s.inShape(long, lat)
				if ok {
					pts = append(pts, geoPoint{long: long, lat: lat, dist: d, score: e.score, member: e.member})
				}
				return !full()
			})
		}
		last = i
	}
	return pts
}

func geoCmpAsc(a, b geoPoint) int {
	switch {
	case a.dist > b.dist:
		return 1
	case a.dist == b.dist:
		return 0
	}
	return -1
}

func geoCmpDesc(a, b geoPoint) int {
	switch {
	case a.dist < b.dist:
		return 1
	case a.dist == b.dist:
		return 0
	}
	return -1
}
