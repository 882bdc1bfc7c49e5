package main

import (
	"log/slog"

	"github.com/shardis/shardis/configs"
	"github.com/shardis/shardis/storage"
)

// persistConfig hands the persistence settings to the engine; the
// mutable ones are read through cfg on every use, so CONFIG SET applies.
func persistConfig(cfg *configs.Config, log *slog.Logger) storage.PersistConfig {
	return storage.PersistConfig{
		Dir:            cfg.Dir(),
		AppendOnly:     cfg.AppendOnly(),
		AppendFilename: cfg.AppendFilename(),
		AppendDirname:  cfg.AppendDirname(),
		DBFilename:     cfg.DBFilename(),
		Fsync: func() int {
			n, _ := storage.ParseFsync(cfg.AppendFsync())
			return n
		},
		AutoRewritePercentage:   cfg.AutoAOFRewritePercentage,
		AutoRewriteMinSize:      cfg.AutoAOFRewriteMinSize,
		LoadTruncated:           cfg.AOFLoadTruncated,
		SaveRules:               cfg.Save,
		StopWritesOnBgsaveError: cfg.StopWritesOnBgsaveError,
		Logger:                  log,
	}
}
