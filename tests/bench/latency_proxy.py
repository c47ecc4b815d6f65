#!/usr/bin/env python3
"""A loopback TCP proxy that adds latency, for `make bench`.

    python3 tests/bench/latency_proxy.py --target 127.0.0.1:PORT [--delay-ms 50] [--port 0]
        [--ready-file FILE]

Listens on 127.0.0.1 and forwards every connection to the target.  Each chunk the client sends
is held `delay` before it goes on (one-way delay, every chunk the same, so order is kept and
pipelined or keep-alive requests each pay it once); the answers come back at once.  So every
HTTP request costs `delay` more than it would straight to the target, whether or not its
connection is new: the TCP (and TLS) handshakes of a real network are not added.  Nothing is
parsed or changed: Host headers, signatures and Link headers built from Host stay valid, and a
Link URL points back through the proxy.

Counts the HTTP requests that go through (a chunk that starts with a request line).  In-process
use (bench.py): `p = Proxy(host, port, delay); p.start()` runs it on a thread; `p.port`,
`p.requests`, `p.stop()`.  As a command it runs until SIGTERM/SIGINT; --ready-file gets
{"port": N} once it listens.
"""
import argparse
import asyncio
import json
import os
import re
import signal
import sys
import threading

REQUEST_LINE = re.compile(rb"(GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS) \S+ HTTP/1\.[01]\r\n")


class Proxy:
    def __init__(self, target_host, target_port, delay_ms=50.0, host="127.0.0.1", port=0):
        self.target = (target_host, target_port)
        self.delay = delay_ms / 1000.0
        self.host, self.port = host, port
        self.requests = 0       # HTTP requests forwarded (request lines seen at a chunk's start)
        self.connections = 0
        self.loop = None
        self._server = None
        self._thread = None
        self._ready = threading.Event()
        self._tasks = set()

    # --- the relay -----------------------------------------------------------------------
    async def _handle(self, creader, cwriter):
        # asyncio keeps only weak references to tasks: hold this one until it ends.
        me = asyncio.current_task()
        self._tasks.add(me)
        try:
            await self._relay(creader, cwriter)
        except asyncio.CancelledError:
            pass  # stop(): end quietly (asyncio's stream callback would report a cancelled task)
        finally:
            self._tasks.discard(me)
            cwriter.close()

    async def _relay(self, creader, cwriter):
        self.connections += 1
        try:
            sreader, swriter = await asyncio.open_connection(*self.target)
        except OSError:
            cwriter.close()
            return
        loop = asyncio.get_running_loop()
        pending = [0]           # chunks scheduled and not yet written
        closing = [False]       # the client has stopped sending
        done = asyncio.Event()  # ... and every delayed chunk is written

        def send(data):
            if not swriter.is_closing():
                swriter.write(data)
            pending[0] -= 1
            if pending[0] == 0 and closing[0]:
                done.set()

        async def upstream():
            # client -> target, each chunk `delay` late (call_later keeps their order)
            try:
                while True:
                    data = await creader.read(65536)
                    if not data:
                        break
                    if REQUEST_LINE.match(data):
                        self.requests += 1
                    pending[0] += 1
                    loop.call_later(self.delay, send, data)
            except (OSError, asyncio.IncompleteReadError):
                pass
            closing[0] = True
            if pending[0] == 0:
                done.set()
            await done.wait()
            try:
                if swriter.can_write_eof():
                    swriter.write_eof()
            except OSError:
                pass

        async def downstream():
            # target -> client, at once
            try:
                while True:
                    data = await sreader.read(65536)
                    if not data:
                        break
                    cwriter.write(data)
                    await cwriter.drain()
            except OSError:
                pass
            try:
                cwriter.close()
            except OSError:
                pass

        await asyncio.gather(upstream(), downstream(), return_exceptions=True)
        for w in (swriter, cwriter):
            try:
                w.close()
            except OSError:
                pass

    # --- running ---------------------------------------------------------------------------
    async def _serve(self):
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        self._stop = asyncio.Event()
        self._ready.set()
        await self._stop.wait()
        self._server.close()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in others:
            t.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def start(self):
        """Serve on a daemon thread; returns self once listening."""
        def run():
            loop = self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            finally:
                left = asyncio.all_tasks(loop)
                for t in left:
                    t.cancel()
                if left:
                    loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
                loop.close()
        self._thread = threading.Thread(target=run, name="latency-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("latency proxy did not start")
        return self

    def stop(self):
        """Close the listener and every relayed connection."""
        if self.loop and self._server:
            try:
                self.loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:  # the loop is already closed
                pass
        if self._thread:
            self._thread.join(5)


def main(argv=None):
    ap = argparse.ArgumentParser(description="loopback TCP proxy adding latency to every request")
    ap.add_argument("--target", required=True, help="HOST:PORT to forward to")
    ap.add_argument("--delay-ms", type=float, default=50.0)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ready-file")
    a = ap.parse_args(argv)
    host, _, port = a.target.rpartition(":")
    p = Proxy(host or "127.0.0.1", int(port), a.delay_ms, port=a.port).start()
    if a.ready_file:
        tmp = a.ready_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"port": p.port, "pid": os.getpid()}, f)
        os.replace(tmp, a.ready_file)
    print("latency proxy 127.0.0.1:%d -> %s (+%g ms a request)" % (p.port, a.target, a.delay_ms), flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    p.stop()
    print("requests=%d connections=%d" % (p.requests, p.connections), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
