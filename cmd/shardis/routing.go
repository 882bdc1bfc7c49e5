package main

import (
	"github.com/shardis/shardis/configs"
)

// routingPersisted says whether the routing state (slot owners, slot
// migrations) is kept in --dir, so that a restart serves every key from
// where it lives now and resumes unfinished migrations. It should be on
// exactly when data persistence is (appendonly yes, or save rules), which
// the persistence settings decide; tests turn it on directly.
var routingPersisted = func(cfg *configs.Config) bool {
	return cfg.AppendOnly() || len(cfg.Save()) > 0
}

// routingDir is the directory the Migrator keeps routing.json in, or ""
// when the routing state is not persisted.
func routingDir(cfg *configs.Config) string {
	if !routingPersisted(cfg) {
		return ""
	}
	return cfg.Dir()
}
