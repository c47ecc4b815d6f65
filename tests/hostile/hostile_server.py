"""A hostile Buildkite and AWS on loopback: every request gets an error whose
body carries the hostile-string corpus (tests/hostile/corpus.txt), for
tests/tmux/test_tmux_hostile.sh.

    python3 tests/hostile/hostile_server.py READY_FILE

Two servers on free loopback ports.  Once both listen it writes READY_FILE
(atomically) as JSON {"buildkite": URL, "aws": URL, "pid": N}; it runs until
SIGTERM.  Each request is counted in READY_FILE's directory, in requests.log
("buildkite GET /v2/..." / "aws POST /"), so the test can tell relcon asked.

 - Buildkite (RELCON_BUILDKITE_ENDPOINT): HTTP 403 with the JSON error body
   {"message": "..."} Buildkite sends.  The message is raw bytes: JSON escapes
   for the control characters, the invalid and overlong UTF-8 entries as they
   are (a JSON reader that does not check UTF-8 takes them).
 - AWS (AWS_ENDPOINT_URL): HTTP 403 with the Query error body
   <ErrorResponse><Error><Code>AccessDenied</Code><Message>...</Message>
   (S3's <Error> for GET and HEAD), the control characters as character
   references (as S3 writes them in keys); XML cannot carry invalid UTF-8, so only the
   entries that are valid UTF-8.
Both messages start with "hostile-bk:" / "hostile-aws:" and hold, in order, the
entries named in MESSAGE_ENTRIES, each followed by " | ".
"""
import http.server
import json
import os
import signal
import socketserver
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

MESSAGE_ENTRIES = ("utf8-stray", "overlong-esc", "csi-clear", "osc-title", "osc52-clipboard", "c1-osc", "bidi-rlo",
                   "dcs-tmux", "tmux-name", "csi-modes", "zw-space", "long-mixed")


def entries():
    by_name = {e.name: e for e in corpus.load()}
    return [by_name[n] for n in MESSAGE_ENTRIES]


def json_bytes(data):
    """data as the inside of a JSON string: control characters, quote and
    backslash escaped, every other byte (invalid UTF-8 too) as it is."""
    out = bytearray()
    for b in data:
        if b < 0x20 or b in (0x22, 0x5c):
            out += b"\\u%04x" % b
        else:
            out.append(b)
    return bytes(out)


def xml_text(text):
    """text for an XML element: markup escaped, C0 controls (and DEL, C1) as references."""
    out = []
    for ch in text:
        o = ord(ch)
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif o < 0x20 or 0x7f <= o <= 0x9f:
            out.append("&#x%X;" % o)
        else:
            out.append(ch)
    return "".join(out)


def bk_body():
    msg = b"hostile-bk: " + b"".join(e.data + b" | " for e in entries())
    return b'{"message": "' + json_bytes(msg) + b'"}'


def aws_body(s3=False):
    msg = "hostile-aws: " + "".join(e.text + " | " for e in entries() if e.valid_utf8 and "\0" not in e.text)
    inner = "<Code>AccessDenied</Code><Message>%s</Message>" % xml_text(msg)
    if s3:
        body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error>%s<RequestId>HOSTILE</RequestId></Error>' % inner
    else:
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type>%s</Error>'
                '<RequestId>hostile</RequestId></ErrorResponse>' % inner)
    return body.encode("utf-8")


class Handler(http.server.BaseHTTPRequestHandler):
    kind = None      # "buildkite" | "aws"
    log_path = None
    lock = threading.Lock()

    def log_message(self, fmt, *args):
        pass

    def _answer(self):
        with self.lock, open(self.log_path, "a") as f:
            f.write("%s %s %s\n" % (self.kind, self.command, self.path))
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        if self.kind == "buildkite":
            body, ctype = bk_body(), "application/json; charset=utf-8"
        else:
            body, ctype = aws_body(s3=self.command in ("GET", "HEAD", "PUT", "DELETE")), "text/xml"
        self.send_response(403)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def serve(kind, log_path):
    handler = type("H_" + kind, (Handler,), {"kind": kind, "log_path": log_path})
    srv = Server(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main():
    ready = sys.argv[1]
    log_path = os.path.join(os.path.dirname(os.path.abspath(ready)), "requests.log")
    entries()  # the corpus parses, or fail before saying ready
    bk, aws = serve("buildkite", log_path), serve("aws", log_path)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    tmp = ready + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"buildkite": "http://127.0.0.1:%d" % bk.server_address[1],
                   "aws": "http://127.0.0.1:%d" % aws.server_address[1], "pid": os.getpid()}, f)
    os.rename(tmp, ready)
    done.wait()
    os.unlink(ready)


if __name__ == "__main__":
    main()
