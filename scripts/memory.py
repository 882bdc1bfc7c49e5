#!/usr/bin/env python3
"""Memory per element, shardis beside redis-server, one scenario at a time.

Every scenario starts a fresh bin/shardis and a fresh redis-server, pipes
the same commands into both, and divides the growth of INFO memory's
used_memory and used_memory_rss (each read after MEMORY PURGE, which makes
jemalloc, or Go's collector, hand freed pages back) by the number of
elements stored. Usage:

    scripts/memory.py [scale] [name]

scale (default 1.0) multiplies the element counts; name, when given, runs
only the scenarios whose name contains it ("scripts/memory.py 5 string" is
the 1,000,000-key benchmark of issue 4). Absolute RSS and used_memory at
the end are printed too. OBJECT ENCODING of the
first key is printed for both, so a row compares like with like.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")

    def reply(self):
        line = self.f.readline()
        t, rest = line[:1], line[1:-2]
        if t in (b"+", b"-", b":"):
            return rest
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            return data[:-2]
        if t == b"*":
            return [self.reply() for _ in range(int(rest))]
        raise RuntimeError("unexpected reply %r" % line)

    def do(self, *args):
        self.s.sendall(resp(*args))
        return self.reply()

    def pipeline(self, cmds, batch=2000):
        for i in range(0, len(cmds), batch):
            chunk = cmds[i:i + batch]
            self.s.sendall(b"".join(resp(*c) for c in chunk))
            for _ in chunk:
                r = self.reply()
                if isinstance(r, bytes) and r.startswith(b"ERR"):
                    raise RuntimeError(r)

    def memory(self):
        # Both servers hand freed memory back first: jemalloc's purge in
        # Redis, a garbage collection plus FreeOSMemory in shardis.
        self.do("MEMORY", "PURGE")
        info = self.do("INFO", "memory").decode()
        fields = dict(l.split(":", 1) for l in info.split("\r\n") if ":" in l)
        return int(fields["used_memory"]), int(fields["used_memory_rss"])


def scenarios(scale):
    def n(x):
        return max(1, int(x * scale))
    val = "v" * 100
    yield "string 100B", n(200000), lambda: [("SET", "key:%d" % i, val) for i in range(n(200000))]
    for name, keys, per, mk in [
        ("hash listpack", 20000, 10, lambda k, j: ("HSET", "h:%d" % k, "field:%d" % j, "value:%d" % j)),
        ("hash hashtable", 20, 10000, lambda k, j: ("HSET", "h:%d" % k, "field:%d" % j, "value:%d" % j)),
        ("set intset", 20000, 10, lambda k, j: ("SADD", "s:%d" % k, j)),
        ("set hashtable", 20, 10000, lambda k, j: ("SADD", "s:%d" % k, "member:%d" % j)),
        ("zset listpack", 20000, 10, lambda k, j: ("ZADD", "z:%d" % k, j, "member:%d" % j)),
        ("zset skiplist", 20, 10000, lambda k, j: ("ZADD", "z:%d" % k, j, "member:%d" % j)),
        ("list small", 20000, 10, lambda k, j: ("RPUSH", "l:%d" % k, "element:%d" % j)),
        ("list large", 20, 10000, lambda k, j: ("RPUSH", "l:%d" % k, "element:%d" % j)),
    ]:
        keys = n(keys) if per < 100 else keys
        per = per if per < 100 else n(per)
        yield name, keys * per, (lambda keys=keys, per=per, mk=mk: [mk(k, j) for k in range(keys) for j in range(per)])


def first_key_encoding(c, cmds):
    return (c.do("OBJECT", "ENCODING", cmds[0][1]) or b"-").decode()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(label, work):
    port = free_port()
    if label == "shardis":
        argv = ["bin/shardis", "--port", str(port), "--admin-port", "-1", "--loglevel", "warning", "--dir", work]
    else:
        argv = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", work]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            return proc, Conn(port)
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("%s did not start" % label)


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    only = sys.argv[2] if len(sys.argv) > 2 else ""
    print("%-15s %9s | %-22s %-22s | %s" % ("scenario", "elements", "shardis used/rss B/el", "redis used/rss B/el", "ratio used, rss"))
    totals = []
    for name, elements, build in scenarios(scale):
        if only not in name:
            continue
        cmds = build()
        row = {}
        for label in ("shardis", "redis"):
            with tempfile.TemporaryDirectory() as work:
                proc, c = start(label, work)
                try:
                    u0, r0 = c.memory()
                    c.pipeline(cmds)
                    time.sleep(0.2)
                    u1, r1 = c.memory()
                    row[label] = ((u1 - u0) / elements, (r1 - r0) / elements, first_key_encoding(c, cmds))
                    totals.append("%-15s %-8s used_memory %6.1f MB  rss %6.1f MB" % (name, label, u1 / 1e6, r1 / 1e6))
                finally:
                    proc.kill()
                    proc.wait()
        s, r = row["shardis"], row["redis"]
        ratio = lambda a, b: "%.2f" % (a / b) if b > 0 else "-"
        print("%-15s %9d | %7.1f / %7.1f %-7s| %7.1f / %7.1f %-7s| %s, %s" % (
            name, elements, s[0], s[1], s[2][:7], r[0], r[1], r[2][:7], ratio(s[0], r[0]), ratio(s[1], r[1])), flush=True)
    print()
    print("\n".join(totals))


if __name__ == "__main__":
    main()
