package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"github.com/shardis/shardis/admin"
	"github.com/shardis/shardis/backend"
	"github.com/shardis/shardis/configs"
	"github.com/shardis/shardis/proxy"
	"github.com/shardis/shardis/router"
	"github.com/shardis/shardis/storage"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "admin" {
		os.Exit(runAdmin(os.Args[2:], os.Stdout, os.Stderr))
	}
	err := run(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "shardis:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) > 0 && args[0] == "check-aof" {
		return checkAOF(args[1:], os.Stdout)
	}
	cfg, err := configs.Load(args)
	if err != nil {
		return err
	}
	logger, closeLog, err := newLogger(cfg)
	if err != nil {
		return err
	}
	defer closeLog()
	return serve(cfg, logger)
}

// server is a running shardis: the RESP front end, the engine behind it
// and the admin API. Tests start one exactly as main does.
type server struct {
	log  *slog.Logger
	srv  *proxy.Server
	eng  *storage.Engine
	adm  *admin.Server
	admL net.Listener
	errc chan error
	addr net.Addr
}

// start builds and starts every component and returns once the RESP
// listener is bound.
func start(cfg *configs.Config, log *slog.Logger) (*server, error) {
	mode, err := router.ParseMode(cfg.Sharding())
	if err != nil {
		return nil, err
	}
	rt, err := router.New(mode, cfg.Instances())
	if err != nil {
		return nil, err
	}
	eng, err := storage.NewEngine(storage.Options{Instances: cfg.Instances(), MaxInstances: cfg.MaxInstances(), Databases: cfg.Databases(), Router: rt, Hz: cfg.Hz})
	if err != nil {
		return nil, err
	}
	if err := eng.Migrator().Open(routingDir(cfg)); err != nil {
		return nil, err
	}
	cfg.Observe(applyEncodingConfig)
	cfg.Observe(func(c *configs.Config) { applyEvictionConfig(c, eng) })
	if err := eng.OpenPersistence(persistConfig(cfg, log)); err != nil {
		return nil, err
	}
	pool := backend.NewPool(eng)
	srv, err := proxy.New(proxy.Options{Config: cfg, Router: rt, Pool: pool, Logger: log})
	if err != nil {
		return nil, err
	}
	s := &server{log: log, srv: srv, eng: eng, errc: make(chan error, 1)}
	if cfg.AdminPort() >= 0 {
		addr := net.JoinHostPort(cfg.AdminBind(), strconv.Itoa(cfg.AdminPort()))
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("admin listener: %w", err)
		}
		s.admL = l
		s.adm = admin.New(newAdminSource(srv, rt, eng, pool), admin.Options{Token: cfg.AdminToken(), Logger: log})
		go func() {
			if err := s.adm.Serve(l); err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, http.ErrServerClosed) {
				log.Error("admin server stopped", "err", err)
			}
		}()
		log.Info("admin API listening", "addr", l.Addr().String())
	}
	addr := net.JoinHostPort(cfg.Bind(), strconv.Itoa(cfg.Port()))
	go func() { s.errc <- srv.ListenAndServe(addr) }()
	select {
	case <-srv.Ready():
		eng.Start()
		s.addr = srv.Addr()
		log.Info("shardis ready to accept connections", "addr", s.addr.String(),
			"instances", cfg.Instances(), "sharding", string(mode))
		return s, nil
	case err := <-s.errc:
		if s.admL != nil {
			s.admL.Close()
		}
		return nil, err
	}
}

// stop shuts everything down and waits for the event loops to exit.
func (s *server) stop(ctx context.Context) error {
	if s.adm != nil {
		if err := s.adm.Shutdown(ctx); err != nil {
			s.log.Warn("admin shutdown", "err", err)
		}
	}
	err := s.srv.Stop(ctx)
	s.eng.Stop()
	if perr := s.eng.ClosePersistence(); perr != nil {
		s.log.Warn("closing persistence", "err", perr)
	}
	if err != nil {
		return err
	}
	return <-s.errc
}

func serve(cfg *configs.Config, log *slog.Logger) error {
	s, err := start(cfg, log)
	if err != nil {
		return err
	}
	// Not in start: tests run many servers in one process.
	if p := newProcs(cfg.ProcsPerLoop(), proxy.EventLoops(cfg.IOThreads()), log); p != nil {
		s.eng.OnBackground(p.background)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case got := <-sig:
		log.Info("shutting down", "signal", got.String())
	case err := <-s.errc:
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.stop(ctx); err != nil {
		return err
	}
	log.Info("bye")
	return nil
}

// newLogger logs JSON to logfile (stderr when empty) at loglevel.
func newLogger(cfg *configs.Config) (*slog.Logger, func(), error) {
	var out io.Writer = os.Stderr
	closeFn := func() {}
	if path := cfg.LogFile(); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("logfile: %w", err)
		}
		out, closeFn = f, func() { f.Close() }
	}
	level := slog.LevelInfo
	switch cfg.LogLevel() {
	case "debug", "verbose":
		level = slog.LevelDebug
	case "warning":
		level = slog.LevelWarn
	}
	return slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: level})), closeFn, nil
}

// applyEvictionConfig hands maxmemory and the eviction settings to the
// engine, at start-up and after every CONFIG SET, and sets the Go
// runtime's soft memory limit to match: maxmemory bounds the data set,
// and the limit, a quarter above it (at least 32 MiB above), makes the
// collector work harder instead of letting the heap double past it, so
// the process's RSS stays bounded too. A GOMEMLIMIT set by the operator
// wins.
func applyEvictionConfig(c *configs.Config, eng *storage.Engine) {
	policy, err := storage.ParsePolicy(c.MaxMemoryPolicy())
	if err != nil {
		policy = storage.PolicyNoEviction // configs validated the name already
	}
	eng.SetEviction(storage.EvictionConfig{
		MaxMemory:    c.MaxMemory(),
		Policy:       policy,
		Samples:      c.MaxMemorySamples(),
		Tenacity:     c.MaxMemoryEvictionTenacity(),
		LFULogFactor: int64(c.LFULogFactor()),
		LFUDecayTime: int64(c.LFUDecayTime()),
	})
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit := int64(math.MaxInt64)
	if m := c.MaxMemory(); m > 0 {
		limit = m + max(m/4, 32<<20)
	}
	debug.SetMemoryLimit(limit)
}

// applyEncodingConfig hands the encoding thresholds to the storage engine,
// at start-up and after every CONFIG SET. Like Redis's, they are process-wide.
func applyEncodingConfig(c *configs.Config) {
	storage.SetEncodingConfig(storage.EncodingConfig{
		HashMaxListpackEntries: int64(c.HashMaxListpackEntries()),
		HashMaxListpackValue:   c.HashMaxListpackValue(),
		SetMaxIntsetEntries:    int64(c.SetMaxIntsetEntries()),
		ZSetMaxListpackEntries: int64(c.ZSetMaxListpackEntries()),
		ZSetMaxListpackValue:   c.ZSetMaxListpackValue(),
		ListMaxListpackSize:    int64(c.ListMaxListpackSize()),
		HLLSparseMaxBytes:      c.HLLSparseMaxBytes(),
		StreamNodeMaxBytes:     c.StreamNodeMaxBytes(),
		StreamNodeMaxEntries:   int64(c.StreamNodeMaxEntries()),
	})
}
