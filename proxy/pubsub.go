package proxy

import (
	"maps"
	"slices"
	"sync"

	"github.com/shardis/shardis/proxy/wire"
	"github.com/shardis/shardis/storage"
	"github.com/shardis/shardis/storage/glob"
)

// Publish/subscribe: SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, their UNSUBSCRIBE
// forms, PUBLISH, SPUBLISH and PUBSUB, as in Redis 7.0 (shard channels are
// a namespace of their own, as on a server without cluster mode).
//
// Channels are not keys: they live in the proxy, not in an instance, so a
// message reaches every subscriber of the server whatever instance a key
// of the same name would belong to. The server keeps one registry of
// subscribers per channel, per pattern and per shard channel, guarded by
// a read-write lock: PUBLISH reads it, (un)subscribing writes it. Each
// session also keeps its own subscriptions, touched only by its loop.
//
// Delivery. PUBLISH runs on the publisher's loop, and subscribers may be
// on any loop: each message is encoded for the subscriber's protocol
// (an array in RESP2, a push in RESP3) into a buffer of its own and handed
// to gnet's AsyncWrite, which queues the write on the subscriber's loop.
// That loop runs the write after the events it is serving, so a message
// published just after a SUBSCRIBE was registered still follows that
// SUBSCRIBE's reply. A message costs one allocation per subscriber, as
// the buffer must outlive the publisher's batch. Subscribers' output is
// not bounded by client-output-buffer-limit pubsub: gnet's AsyncWrite
// gives no view of the subscriber's pending output from another loop.
//
// In RESP2 a subscribed client may only (un)subscribe, PING (answered as
// an array), QUIT or RESET, as in Redis; RESP3 clients may run anything.

// subKind is a kind of subscription.
type subKind int

const (
	subChannel subKind = iota
	subPattern
	subShard
	subKinds
)

// Per kind: the reply verbs and the message type.
var (
	subVerbs   = [subKinds]string{"subscribe", "psubscribe", "ssubscribe"}
	unsubVerbs = [subKinds]string{"unsubscribe", "punsubscribe", "sunsubscribe"}
)

// pubsub is the server's registry of subscribers.
type pubsub struct {
	mu   sync.RWMutex
	subs [subKinds]map[string]map[*session]struct{}
}

func registerPubSub(s *Server) {
	s.handle("subscribe", func(s *session, a [][]byte) { s.subscribe(subChannel, a[1:]) })
	s.handle("psubscribe", func(s *session, a [][]byte) { s.subscribe(subPattern, a[1:]) })
	s.handle("ssubscribe", func(s *session, a [][]byte) { s.subscribe(subShard, a[1:]) })
	s.handle("unsubscribe", func(s *session, a [][]byte) { s.unsubscribe(subChannel, a[1:]) })
	s.handle("punsubscribe", func(s *session, a [][]byte) { s.unsubscribe(subPattern, a[1:]) })
	s.handle("sunsubscribe", func(s *session, a [][]byte) { s.unsubscribe(subShard, a[1:]) })
	s.handle("publish", func(s *session, a [][]byte) { s.w.Int(int64(s.srv.pubsub.publish(subChannel, a[1], a[2]))) })
	s.handle("spublish", func(s *session, a [][]byte) { s.w.Int(int64(s.srv.pubsub.publish(subShard, a[1], a[2]))) })
	s.handle("pubsub|channels", func(s *session, a [][]byte) { s.pubsubChannels(subChannel, a) })
	s.handle("pubsub|shardchannels", func(s *session, a [][]byte) { s.pubsubChannels(subShard, a) })
	s.handle("pubsub|numsub", func(s *session, a [][]byte) { s.pubsubNumSub(subChannel, a) })
	s.handle("pubsub|shardnumsub", func(s *session, a [][]byte) { s.pubsubNumSub(subShard, a) })
	s.handle("pubsub|numpat", func(s *session, _ [][]byte) { s.w.Int(int64(s.srv.pubsub.count(subPattern))) })
}

// subscriptions is how many subscriptions a (un)subscribe reply counts:
// channels and patterns together, shard channels apart.
func (s *session) subscriptions(k subKind) int {
	if k == subShard {
		return len(s.subs[subShard])
	}
	return len(s.subs[subChannel]) + len(s.subs[subPattern])
}

// subscribed reports whether the session holds any subscription.
func (s *session) subscribed() bool {
	return len(s.subs[subChannel])+len(s.subs[subPattern])+len(s.subs[subShard]) > 0
}

func (s *session) subscribe(k subKind, names [][]byte) {
	ps := &s.srv.pubsub
	for _, n := range names {
		name := string(n)
		if _, ok := s.subs[k][name]; !ok {
			if s.subs[k] == nil {
				s.subs[k] = make(map[string]struct{})
			}
			s.subs[k][name] = struct{}{}
			ps.mu.Lock()
			if ps.subs[k] == nil {
				ps.subs[k] = make(map[string]map[*session]struct{})
			}
			set := ps.subs[k][name]
			if set == nil {
				set = make(map[*session]struct{})
				ps.subs[k][name] = set
			}
			set[s] = struct{}{}
			ps.mu.Unlock()
			s.subCounts[k].Add(1)
		}
		s.w.Push(3)
		s.w.BulkString(subVerbs[k])
		s.w.Bulk(n)
		s.w.Int(int64(s.subscriptions(k)))
	}
}

// unsubscribe ends the named subscriptions, or all of kind k when none
// is named (in name order, where Redis's is its hash table's).
func (s *session) unsubscribe(k subKind, names [][]byte) {
	if len(names) == 0 {
		for _, name := range slices.Sorted(maps.Keys(s.subs[k])) {
			names = append(names, []byte(name))
		}
		if len(names) == 0 {
			s.w.Push(3)
			s.w.BulkString(unsubVerbs[k])
			s.w.Null()
			s.w.Int(int64(s.subscriptions(k)))
			return
		}
	}
	for _, n := range names {
		s.dropSubscription(k, string(n))
		s.w.Push(3)
		s.w.BulkString(unsubVerbs[k])
		s.w.Bulk(n)
		s.w.Int(int64(s.subscriptions(k)))
	}
}

func (s *session) dropSubscription(k subKind, name string) {
	if _, ok := s.subs[k][name]; !ok {
		return
	}
	delete(s.subs[k], name)
	s.subCounts[k].Add(-1)
	ps := &s.srv.pubsub
	ps.mu.Lock()
	if set := ps.subs[k][name]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(ps.subs[k], name)
		}
	}
	ps.mu.Unlock()
}

// unsubscribeAll ends every subscription; the connection's close and
// RESET call it.
func (s *session) unsubscribeAll() {
	for k := range subKinds {
		for name := range s.subs[k] {
			s.dropSubscription(k, name)
		}
	}
}

// publish delivers msg to the subscribers of channel (for subChannel, and
// of every matching pattern) and returns how many deliveries it made.
func (ps *pubsub) publish(k subKind, channel, msg []byte) int {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	n := 0
	kind := "message"
	if k == subShard {
		kind = "smessage"
	}
	for o := range ps.subs[k][string(channel)] {
		o.deliver(nil, kind, channel, msg)
		n++
	}
	if k != subChannel {
		return n
	}
	ch := string(channel)
	for pattern, set := range ps.subs[subPattern] {
		if !glob.MatchString(pattern, ch, false) {
			continue
		}
		for o := range set {
			o.deliver([]byte(pattern), "pmessage", channel, msg)
			n++
		}
	}
	return n
}

// deliver queues one message on the subscriber's own loop; pattern is nil
// for a channel's message.
func (s *session) deliver(pattern []byte, kind string, channel, msg []byte) {
	w := wire.Writer{Proto: int(s.proto.Load())}
	w.B = make([]byte, 0, 40+len(pattern)+len(channel)+len(msg))
	if pattern != nil {
		w.Push(4)
		w.BulkString(kind)
		w.Bulk(pattern)
	} else {
		w.Push(3)
		w.BulkString(kind)
	}
	w.Bulk(channel)
	w.Bulk(msg)
	_ = s.conn.AsyncWrite(w.B, nil) // fails only once the connection is gone
}

// count is how many channels (or patterns, or shard channels) have a
// subscriber.
func (ps *pubsub) count(k subKind) int {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	return len(ps.subs[k])
}

// PUBSUB CHANNELS|SHARDCHANNELS [pattern]
func (s *session) pubsubChannels(k subKind, args [][]byte) {
	if len(args) > 3 {
		s.w.Error(storage.ErrStreamSubcommand(args[1], "PUBSUB")) // addReplySubcommandSyntaxError
		return
	}
	ps := &s.srv.pubsub
	ps.mu.RLock()
	var names []string
	for name := range ps.subs[k] {
		if len(args) < 3 || glob.Match(args[2], []byte(name), false) {
			names = append(names, name)
		}
	}
	ps.mu.RUnlock()
	slices.Sort(names)
	s.w.Array(len(names))
	for _, name := range names {
		s.w.BulkString(name)
	}
}

// PUBSUB NUMSUB|SHARDNUMSUB [channel ...]
func (s *session) pubsubNumSub(k subKind, args [][]byte) {
	ps := &s.srv.pubsub
	s.w.Array(2 * (len(args) - 2)) // an array in RESP3 too, as in Redis
	ps.mu.RLock()
	for _, name := range args[2:] {
		s.w.Bulk(name)
		s.w.Int(int64(len(ps.subs[k][string(name)])))
	}
	ps.mu.RUnlock()
}

// pubsubOnly is the RESP2 rule for subscribed clients: only these run.
func pubsubOnly(name string) bool {
	switch name {
	case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "ping", "quit", "reset":
		return true
	}
	return false
}

// pingSubscribed is PING's reply to a subscribed RESP2 client: an array.
func (s *session) pingSubscribed(args [][]byte) {
	s.w.Array(2)
	s.w.BulkString("pong")
	if len(args) > 1 {
		s.w.Bulk(args[1])
	} else {
		s.w.Bulk([]byte{})
	}
}
