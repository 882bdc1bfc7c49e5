package storage

// registerSort registers SORT and SORT_RO.
func registerSort(r *registry) {}
