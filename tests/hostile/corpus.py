"""The hostile-string corpus (tests/hostile/corpus.txt), decoded.

    import corpus                      # tests/hostile on sys.path, or load it by path
    for e in corpus.load():            # every entry, in file order
        e.name, e.cls, e.data          # data: the exact bytes (may be invalid UTF-8)
        e.text                         # str: data decoded with surrogateescape
        e.valid_utf8                   # whether data is valid UTF-8

The escapes (\\\\ \\t \\n \\r \\e \\a \\xHH \\u{H..}) and the *N repetition are
described at the top of corpus.txt; tests/unit/test_hostile.c decodes the same
file in C.  Run as a script it prints NAME, CLASS and the byte length of each
entry (never the bytes themselves).
"""
import os
import re
import sys

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus.txt")
_ESC = re.compile(r"\\(\\|t|n|r|e|a|x[0-9A-Fa-f]{2}|u\{[0-9A-Fa-f]{1,6}\})")
_SIMPLE = {"\\": b"\\", "t": b"\t", "n": b"\n", "r": b"\r", "e": b"\x1b", "a": b"\x07"}


class Entry:
    def __init__(self, name, cls, data):
        self.name, self.cls, self.data = name, cls, data

    @property
    def text(self):
        return self.data.decode("utf-8", "surrogateescape")

    @property
    def valid_utf8(self):
        try:
            self.data.decode("utf-8")
            return True
        except UnicodeDecodeError:
            return False

    def __repr__(self):
        return "Entry(%r, %r, %d bytes)" % (self.name, self.cls, len(self.data))


def decode(field):
    """The bytes an escaped TEXT field stands for."""
    out, pos = bytearray(), 0
    for m in _ESC.finditer(field):
        out += field[pos:m.start()].encode("utf-8")
        e = m.group(1)
        if e in _SIMPLE:
            out += _SIMPLE[e]
        elif e[0] == "x":
            out.append(int(e[1:], 16))
        else:
            # chr() refuses nothing up to U+10FFFF; surrogates go out as their
            # (invalid) three bytes on purpose.
            out += chr(int(e[2:-1], 16)).encode("utf-8", "surrogatepass")
        pos = m.end()
    if "\\" in field[pos:]:
        raise ValueError("unknown escape in %r" % field[pos:])
    out += field[pos:].encode("utf-8")
    return bytes(out)


def load(path=PATH):
    entries, names = [], set()
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) not in (3, 4) or not re.fullmatch(r"[a-z0-9-]+", parts[0]):
                raise ValueError("%s:%d: want NAME<TAB>CLASS<TAB>TEXT[<TAB>*N]" % (path, lineno))
            data = decode(parts[2])
            if len(parts) == 4:
                if not re.fullmatch(r"\*[1-9][0-9]*", parts[3]):
                    raise ValueError("%s:%d: repetition must be *N" % (path, lineno))
                data *= int(parts[3][1:])
            if parts[0] in names:
                raise ValueError("%s:%d: duplicate name %s" % (path, lineno, parts[0]))
            names.add(parts[0])
            entries.append(Entry(parts[0], parts[1], data))
    return entries


if __name__ == "__main__":
    for e in load(sys.argv[1] if len(sys.argv) > 1 else PATH):
        print("%-20s %-11s %6d bytes%s" % (e.name, e.cls, len(e.data), "" if e.valid_utf8 else "  (invalid UTF-8)"))
