package storage

import (
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

func TestGeoDiffScripts(t *testing.T) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		rc := dialRedis(t, addr, proto)
		for _, script := range geoDiffScripts {
			d := newDiffSession(t, rc, proto)
			for _, args := range script {
				if !d.check(args) {
					break
				}
			}
		}
	}
}
