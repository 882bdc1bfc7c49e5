package proxy

import (
	"context"

	"github.com/panjf2000/gnet/v2"
)

// Durability under appendfsync always. A batch that logged records must
// not reply before they are fsynced. As Redis does once per event-loop
// iteration, each loop makes the records of all the clients it served in
// one pass durable with one commit, then writes their replies itself:
//
//   - flush holds a batch's replies in the session's buffer and adds the
//     session to its loop's commit group; the first one of a pass queues
//     the group's commit on the loop (EventLoop.Execute).
//   - gnet runs queued tasks after the events of a poll, and the wake-up
//     that Execute sends shows up in the next poll, so the commit runs once
//     every client that was ready then has been served: the group is
//     everything one pass of the loop logged.
//   - The commit (Engine.Commit) takes one journal fdatasync for every
//     loop's records; a loop that finds its records already covered by
//     another's commit does not sync again.
//   - The client's further input waits meanwhile, as a blocked client's
//     does, and is served when the replies are out.
//
// An earlier design handed each batch to the storage syncer goroutine and
// had it wake the connections: two goroutine handoffs per commit, and a
// syncer that woke on the first client of a pass and so committed groups
// half the size. redis-benchmark SET -P 1 -c 50, medians of 7 runs
// interleaved with redis-server under always: 0.75x Redis before, 0.89x
// after (1.08x once the journal was also recycled, aof_journal.go).
//
// When a commit fails (the disk is full), the group's sessions register
// with Engine.Durable instead, and the syncer wakes them after the first
// round that succeeds; until then their replies wait.

// commitGroup is one event loop's sessions holding replies for a commit.
// Only the loop's goroutine touches it.
type commitGroup struct {
	loop   gnet.EventLoop
	held   []*session
	spare  []*session
	seq    uint64 // the highest sequence number the group waits for
	queued bool
}

// holdForDurability is called by flush when the batch logged records. It
// reports true when the replies are held; a closing connection waits in
// place instead, so its last replies are still sent.
func (sess *session) holdForDurability(action gnet.Action) bool {
	seq := sess.ctx.Logged
	sess.ctx.Logged = 0
	eng := sess.srv.eng
	if action != gnet.None {
		eng.WaitDurable(seq)
		return false
	}
	if eng.Durable(seq, nil) {
		return false
	}
	g := &sess.stats.group
	if !g.queued {
		if err := g.loop.Execute(context.Background(), g); err != nil {
			eng.WaitDurable(seq) // the engine is shutting down: wait here
			return false
		}
		g.queued = true
	}
	sess.durableWait = seq
	g.held = append(g.held, sess)
	g.seq = max(g.seq, seq)
	return true
}

// Run commits the group's records and releases its sessions' replies. It
// runs on the group's loop.
func (g *commitGroup) Run(context.Context) error {
	g.queued = false
	held, seq := g.held, g.seq
	g.held, g.seq = g.spare[:0], 0
	if len(held) == 0 {
		return nil
	}
	durable := held[0].srv.eng.Commit(seq)
	for i, sess := range held {
		held[i] = nil
		if sess.gone || sess.durableWait == 0 {
			continue
		}
		if !durable && !sess.srv.eng.Durable(sess.durableWait, sess.wakeFn) {
			continue // the syncer wakes it after a good round
		}
		sess.release()
	}
	g.spare = held[:0]
	return nil
}

// release writes the held replies and serves any input that waited.
func (sess *session) release() {
	sess.durableWait = 0
	_ = sess.writeReplies(sess.conn) // an error means the client is gone: gnet closes it
	if sess.conn.InboundBuffered() > 0 {
		_ = sess.conn.Wake(nil)
	}
}

// durableNow runs when a session holding replies is woken or sent input:
// once the records are durable it writes the held replies and reports
// true; until then false.
func (sess *session) durableNow(c gnet.Conn) bool {
	if !sess.srv.eng.Durable(sess.durableWait, nil) {
		return false
	}
	sess.durableWait = 0
	_ = sess.writeReplies(c) // an error means the client is gone: gnet closes it
	return true
}
