#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""w3cread.py FILE - reads a W3C extended log file by the format's rules
(W3C Working Draft WD-logfile-960323) and prints each entry as JSON, or
says which rule a line breaks and exits 1.

Rules checked: ASCII lines; directives start with '#'; #Version and
#Fields come before the first entry; #Date is "YYYY-MM-DD HH:MM:SS"; an
entry has one value per field, separated by spaces; a value is '-', a
token without spaces or quotes, or a quoted string with inner quotes
doubled; date fields are YYYY-MM-DD and time fields HH:MM[:SS[.S]];
integer-valued fields (counts, ports, ids) are digits or '-'."""
import json
import re
import sys

INTEGER_FIELDS = {"event-id", "count", "src-port", "dst-port", "RecordNumber", "EventID",
                  "EventType", "EventCategory"}


def tokens(line, lineno):
    out, i = [], 0
    while i < len(line):
        if line[i] == " ":
            i += 1
            continue
        if line[i] == '"':
            j, text = i + 1, []
            while True:
                if j >= len(line):
                    raise ValueError(f"line {lineno}: unterminated string")
                if line[j] == '"':
                    if j + 1 < len(line) and line[j + 1] == '"':
                        text.append('"')
                        j += 2
                        continue
                    break
                text.append(line[j])
                j += 1
            if j + 1 < len(line) and line[j + 1] != " ":
                raise ValueError(f"line {lineno}: no space after a string")
            out.append(("".join(text), True))
            i = j + 1
        else:
            j = line.find(" ", i)
            j = len(line) if j < 0 else j
            tok = line[i:j]
            if '"' in tok:
                raise ValueError(f"line {lineno}: quote inside a token")
            out.append((tok, False))
            i = j
    return out


def read(path):
    fields, version, entries = None, None, []
    with open(path, "rb") as f:
        raw = f.read()
    for lineno, bline in enumerate(raw.split(b"\n"), 1):
        if bline == b"" and lineno == raw.count(b"\n") + 1:
            break
        if any(c > 0x7E or (c < 0x20 and c not in (0x09, 0x0D)) for c in bline):
            raise ValueError(f"line {lineno}: not printable ASCII")
        line = bline.decode("ascii").rstrip("\r")
        if line.startswith("#"):
            name, _, value = line[1:].partition(": ")
            if name == "Version":
                if not re.fullmatch(r"\d+\.\d+", value):
                    raise ValueError(f"line {lineno}: bad #Version")
                version = value
            elif name == "Fields":
                if entries and fields is not None and value.split() != fields:
                    pass  # a new header may change the fields
                fields = value.split()
                if not fields:
                    raise ValueError(f"line {lineno}: empty #Fields")
            elif name == "Date":
                if not re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", value):
                    raise ValueError(f"line {lineno}: bad #Date")
            elif name not in ("Software", "Start-Date", "End-Date", "Remark"):
                raise ValueError(f"line {lineno}: unknown directive #{name}")
            continue
        if version is None or fields is None:
            raise ValueError(f"line {lineno}: an entry before #Version and #Fields")
        toks = tokens(line, lineno)
        if len(toks) != len(fields):
            raise ValueError(f"line {lineno}: {len(toks)} values for {len(fields)} fields")
        entry = {}
        for name, (value, quoted) in zip(fields, toks):
            if value == "-" and not quoted:
                entry[name] = None
                continue
            if name == "date" and not re.fullmatch(r"\d{4}-\d\d-\d\d", value):
                raise ValueError(f"line {lineno}: bad date {value!r}")
            if name == "time" and not re.fullmatch(r"\d\d:\d\d(:\d\d(\.\d+)?)?", value):
                raise ValueError(f"line {lineno}: bad time {value!r}")
            if name in INTEGER_FIELDS and not value.isdigit():
                raise ValueError(f"line {lineno}: {name} is not an integer: {value!r}")
            entry[name] = value
        entries.append(entry)
    if fields is None:
        raise ValueError("no #Fields directive")
    return entries


def main():
    try:
        entries = read(sys.argv[1])
    except (ValueError, OSError) as e:
        print(f"w3cread: {e}")
        return 1
    for e in entries:
        print(json.dumps(e, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
