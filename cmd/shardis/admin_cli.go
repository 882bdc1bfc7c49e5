package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shardis/shardis/admin"
)

// shardis admin: the operator's command line over the admin API.
//
//	shardis admin [-addr URL] [-token T] status
//	shardis admin migrate -slots 0-99,512 -target 7 [-detach]
//	shardis admin rebalance [-dry-run] [-detach]
//	shardis admin cancel|wait ID
//	shardis admin pause|resume
//	shardis admin throttle [-keys N] [-bytes N]
//	shardis admin add-instance | remove-instance ID
//
// Commands that start migrations follow them with a progress line
// (redrawn in place on a terminal, one line a second otherwise) until
// they finish, and exit non-zero when one fails or is cancelled.

const adminUsage = `usage: shardis admin [-addr URL] [-token TOKEN] COMMAND [ARGS]

commands:
  status                          slots, instances and migrations
  migrate -slots 0-99,512 -target 7 [-detach]
                                  move slots to an instance, showing progress
  rebalance [-dry-run] [-detach]  even slots and keys across instances
  cancel ID                       cancel a migration
  wait ID                         follow a migration until it ends
  pause | resume                  stop or restart the background mover
  throttle [-keys N] [-bytes N]   bound the migration rate (0: none)
  add-instance                    add an instance (fills it by migration)
  remove-instance ID              drain an instance and remove it

-addr defaults to $SHARDIS_ADMIN_ADDR or http://127.0.0.1:6380,
-token to $SHARDIS_ADMIN_TOKEN.
`

// adminCLI is one run of "shardis admin".
type adminCLI struct {
	addr, token string
	out, errOut io.Writer
	http        *http.Client
	tty         bool
	// tick is how often progress is polled.
	tick time.Duration
}

// runAdmin runs "shardis admin args..." and returns the exit status.
func runAdmin(args []string, stdout, stderr io.Writer) int {
	c := &adminCLI{out: stdout, errOut: stderr, http: &http.Client{Timeout: 30 * time.Second}, tick: 200 * time.Millisecond}
	fs := flag.NewFlagSet("shardis admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, adminUsage) }
	fs.StringVar(&c.addr, "addr", envOr("SHARDIS_ADMIN_ADDR", "http://127.0.0.1:6380"), "admin API base URL")
	fs.StringVar(&c.token, "token", os.Getenv("SHARDIS_ADMIN_TOKEN"), "admin API bearer token")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	if f, ok := stdout.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			c.tty = true
		}
	}
	c.addr = strings.TrimRight(c.addr, "/")
	if !strings.Contains(c.addr, "://") {
		c.addr = "http://" + c.addr
	}
	if err := c.run(fs.Arg(0), fs.Args()[1:]); err != nil {
		fmt.Fprintln(stderr, "shardis admin:", err)
		if errors.Is(err, flag.ErrHelp) {
			return 2
		}
		return 1
	}
	return 0
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func (c *adminCLI) run(cmd string, args []string) error {
	switch cmd {
	case "status":
		return c.status()
	case "migrate":
		return c.migrate(args)
	case "rebalance":
		return c.rebalance(args)
	case "cancel", "wait":
		if len(args) != 1 {
			return fmt.Errorf("%s takes one migration id", cmd)
		}
		id, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil {
			return fmt.Errorf("migration id %q is not a number", args[0])
		}
		if cmd == "wait" {
			return c.follow([]int64{id})
		}
		var m admin.Migration
		if err := c.call("POST", fmt.Sprintf("/v1/migrations/%d/cancel", id), nil, &m); err != nil {
			return err
		}
		fmt.Fprintf(c.out, "migration %d: cancel requested (%s)\n", id, m.State)
		return nil
	case "pause", "resume":
		if err := c.call("POST", "/v1/migrations/"+cmd, nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(c.out, "migrations %sd\n", cmd)
		return nil
	case "throttle":
		fs := flag.NewFlagSet("throttle", flag.ContinueOnError)
		fs.SetOutput(c.errOut)
		keys := fs.Int64("keys", -1, "keys per second (0: unbounded)")
		bytes := fs.Int64("bytes", -1, "bytes per second (0: unbounded)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		var t admin.Throttle
		if err := c.call("GET", "/v1/migrations/throttle", nil, &t); err != nil {
			return err
		}
		if *keys >= 0 {
			t.KeysPerSec = *keys
		}
		if *bytes >= 0 {
			t.BytesPerSec = *bytes
		}
		if *keys >= 0 || *bytes >= 0 {
			if err := c.call("PUT", "/v1/migrations/throttle", t, &t); err != nil {
				return err
			}
		}
		fmt.Fprintf(c.out, "throttle: %d keys/s, %d bytes/s (0: unbounded)\n", t.KeysPerSec, t.BytesPerSec)
		return nil
	case "add-instance":
		var ch admin.InstanceChange
		if err := c.call("POST", "/v1/instances", nil, &ch); err != nil {
			return err
		}
		fmt.Fprintf(c.out, "instance %d added (%d instances)\n", ch.Instance, ch.Instances)
		return c.follow(ch.Migrations)
	case "remove-instance":
		if len(args) != 1 {
			return errors.New("remove-instance takes one instance id")
		}
		var ch admin.InstanceChange
		if err := c.call("DELETE", "/v1/instances/"+args[0], nil, &ch); err != nil {
			return err
		}
		fmt.Fprintf(c.out, "instance %d draining\n", ch.Instance)
		return c.follow(ch.Migrations)
	}
	fmt.Fprint(c.errOut, adminUsage)
	return fmt.Errorf("unknown command %q: %w", cmd, flag.ErrHelp)
}

// call sends a request with an optional JSON body and decodes the JSON
// answer into out; an error status becomes an error with the API's text.
func (c *adminCLI) call(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.addr+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return fmt.Errorf("%s (HTTP %d)", e.Error, resp.StatusCode)
		}
		return fmt.Errorf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// parseSlots reads "0-99,512" as inclusive ranges.
func parseSlots(s string) ([][2]int, error) {
	var out [][2]int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("bad slot %q", part)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				return nil, fmt.Errorf("bad slot range %q", part)
			}
		}
		out = append(out, [2]int{a, b})
	}
	if len(out) == 0 {
		return nil, errors.New("no slots given: -slots 0-99,512")
	}
	return out, nil
}

func (c *adminCLI) migrate(args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(c.errOut)
	slots := fs.String("slots", "", "slots to move: ranges and single slots, like 0-99,512")
	target := fs.Int("target", -1, "instance id to move them to")
	detach := fs.Bool("detach", false, "queue the migration and exit without following it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ranges, err := parseSlots(*slots)
	if err != nil {
		return err
	}
	if *target < 0 {
		return errors.New("-target is required")
	}
	var m admin.Migration
	body := map[string]any{"slots": ranges, "target": *target}
	if err := c.call("POST", "/v1/migrations", body, &m); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "migration %d queued: %d slots to instance %d\n", m.ID, m.SlotsTotal, m.Target)
	if *detach {
		return nil
	}
	return c.follow([]int64{m.ID})
}

func (c *adminCLI) rebalance(args []string) error {
	fs := flag.NewFlagSet("rebalance", flag.ContinueOnError)
	fs.SetOutput(c.errOut)
	dry := fs.Bool("dry-run", false, "show the plan without moving anything")
	detach := fs.Bool("detach", false, "queue the plan and exit without following it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var pl admin.RebalancePlan
	if err := c.call("POST", "/v1/rebalance?dry_run="+strconv.FormatBool(*dry), nil, &pl); err != nil {
		return err
	}
	for _, mv := range pl.Moves {
		fmt.Fprintf(c.out, "%s: instance %d -> %d, %d keys (%s)\n", formatSpans(mv.Slots), mv.From, mv.To, mv.Keys, mv.Reason)
	}
	fmt.Fprintf(c.out, "plan: %d slots, %d keys\n", pl.SlotsMoved, pl.KeysMoved)
	if *dry || *detach {
		return nil
	}
	return c.follow(pl.Migrations)
}

func formatSpans(spans [][2]int) string {
	var parts []string
	for _, r := range spans {
		if r[0] == r[1] {
			parts = append(parts, strconv.Itoa(r[0]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", r[0], r[1]))
		}
	}
	if len(parts) > 6 {
		parts = append(parts[:6], fmt.Sprintf("... (%d ranges)", len(spans)))
	}
	return "slots " + strings.Join(parts, ",")
}

// follow polls migrations until all have ended, drawing their combined
// progress, and fails unless every one is done.
func (c *adminCLI) follow(ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	last := time.Time{}
	for {
		var ms []admin.Migration
		for _, id := range ids {
			var m admin.Migration
			if err := c.call("GET", fmt.Sprintf("/v1/migrations/%d", id), nil, &m); err != nil {
				return err
			}
			ms = append(ms, m)
		}
		finished := !slices.ContainsFunc(ms, func(m admin.Migration) bool {
			return m.State == "pending" || m.State == "migrating"
		})
		if c.tty {
			fmt.Fprint(c.out, "\r"+progressLine(ms)+"\x1b[K")
		} else if finished || time.Since(last) >= time.Second {
			fmt.Fprintln(c.out, progressLine(ms))
			last = time.Now()
		}
		if finished {
			if c.tty {
				fmt.Fprintln(c.out)
			}
			var errs []string
			for _, m := range ms {
				if m.State != "done" {
					errs = append(errs, fmt.Sprintf("migration %d %s %s", m.ID, m.State, strings.Join(m.Errors, "; ")))
				}
			}
			if errs != nil {
				return errors.New(strings.Join(errs, ", "))
			}
			return nil
		}
		time.Sleep(c.tick)
	}
}

// progressLine renders migrations' combined progress as a bar.
func progressLine(ms []admin.Migration) string {
	var slots, slotsDone int
	var keys, keysTotal, bytes int64
	var rate, eta float64
	state := "done"
	for _, m := range ms {
		slots += m.SlotsTotal
		slotsDone += m.SlotsDone
		keys += m.KeysMoved
		keysTotal += m.KeysTotal
		bytes += m.BytesMoved
		rate += m.BytesPerSec
		eta = max(eta, m.ETASeconds)
		switch {
		case m.State == "failed" || m.State == "cancelled":
			state = m.State
		case (m.State == "migrating" || m.State == "pending") && state == "done":
			state = m.State
		}
	}
	frac := 0.0
	if slots > 0 {
		frac = float64(slotsDone) / float64(slots)
	}
	if state == "done" {
		frac = 1
	}
	const width = 30
	n := int(frac * width)
	bar := strings.Repeat("#", n) + strings.Repeat(".", width-n)
	return fmt.Sprintf("[%s] %3.0f%% %s slots %d/%d keys %d/%d %s %.1f MB/s ETA %s",
		bar, frac*100, state, slotsDone, slots, keys, keysTotal, humanBytes(bytes), rate/1e6,
		(time.Duration(eta) * time.Second).String())
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// status prints the slot table, instances and migrations.
func (c *adminCLI) status() error {
	var slots struct {
		Slots     []admin.SlotRange     `json:"slots"`
		Migrating []admin.SlotMigration `json:"migrating"`
	}
	var insts struct {
		Instances []admin.InstanceInfo `json:"instances"`
	}
	var migs struct {
		Paused     bool              `json:"paused"`
		Throttle   admin.Throttle    `json:"throttle"`
		Migrations []admin.Migration `json:"migrations"`
	}
	if err := c.call("GET", "/v1/slots", nil, &slots); err != nil {
		return err
	}
	if err := c.call("GET", "/v1/instances", nil, &insts); err != nil {
		return err
	}
	if err := c.call("GET", "/v1/migrations", nil, &migs); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "%-8s %-9s %6s %10s %12s\n", "instance", "kind", "slots", "keys", "memory")
	for _, in := range insts.Instances {
		fmt.Fprintf(c.out, "%-8d %-9s %6d %10d %12s\n", in.ID, in.Kind, in.Slots, in.Keys, humanBytes(in.MemoryBytes))
	}
	moving := 0
	for _, s := range slots.Migrating {
		if s.State == "migrating" {
			moving++
		}
	}
	fmt.Fprintf(c.out, "slot ranges: %d, slots migrating now: %d, waiting: %d\n",
		len(slots.Slots), moving, len(slots.Migrating)-moving)
	fmt.Fprintf(c.out, "mover paused: %v, throttle: %d keys/s %d bytes/s\n",
		migs.Paused, migs.Throttle.KeysPerSec, migs.Throttle.BytesPerSec)
	for _, m := range migs.Migrations {
		fmt.Fprintf(c.out, "migration %d: %s, %s to instance %d, %d/%d slots, %d/%d keys\n",
			m.ID, m.State, formatSpans(m.Slots), m.Target, m.SlotsDone, m.SlotsTotal, m.KeysMoved, m.KeysTotal)
	}
	return nil
}
