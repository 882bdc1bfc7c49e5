package proxy

import "github.com/panjf2000/gnet/v2"

// Durability under appendfsync always. A batch that logged records must
// not reply before they are fsynced, but the event loop must not wait
// either: it serves other clients, so one fsync covers the writes of every
// client of every loop (group commit). The batch's replies stay in the
// session's buffer, the engine wakes the connection once they are
// durable, and the client's further input waits meanwhile, as a blocked
// client's does.

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
	if eng.Durable(seq, sess.wakeFn) {
		return false
	}
	sess.durableWait = seq
	return true
}

// durableNow runs when a session holding replies is woken or sent input:
// once the records are durable it writes the held replies and reports
// true; until then false.
func (sess *session) durableNow(c gnet.Conn) bool {
	if !sess.srv.eng.Durable(sess.durableWait, nil) {
		return false
	}
	sess.durableWait = 0
	if len(sess.w.B) > 0 {
		_, _ = c.Write(sess.w.B) // an error means the client is gone: gnet closes it
		sess.w.Reset()
	}
	return true
}
