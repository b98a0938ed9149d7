#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""agentsock.py SOCKET CASE - abuses the policy agent's socket and prints
what came back, for tests/e2e/agent.sh:
  garbage   a line that is not JSON        -> the reply
  silent    connect and say nothing        -> the reply, and seconds waited
  half      half a request, then close     -> "closed"
  crowd N   N clients at once, each asks `show rule`
            -> "ok=A busy=B other=C": answered, turned away (told busy, or
            reset when the agent closed on a request it would not read),
            neither
  request JSON   one line as given                    -> the reply
  line TEXT      {"line": TEXT}                        -> the reply
  big BYTES      a request line of BYTES bytes         -> the reply
  deep N         a line nested N arrays deep           -> the reply
  badutf8        a line that is not UTF-8              -> the reply
  slowloris N S  N clients sending a byte a second for S seconds
                 -> "cut=A answered=B" (A cut off by the agent)
  cycles N       N connect/close cycles                -> "done N" """
import json
import resource
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)  # blocking: waits while the agent's backlog is full
    s.settimeout(10)
    return s


def read_all(s):
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            return data.decode(errors="replace").strip() or "reset"
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace").strip()


def main():
    path, case = sys.argv[1], sys.argv[2]
    if case == "garbage":
        s = connect(path)
        s.sendall(b"\x00\xffnot json at all\n")
        print(read_all(s))
    elif case == "silent":
        s = connect(path)
        t0 = time.monotonic()
        reply = read_all(s)
        print(reply, round(time.monotonic() - t0))
    elif case == "half":
        s = connect(path)
        s.sendall(b'{"line": "show ru')
        s.shutdown(socket.SHUT_WR)
        read_all(s)
        print("closed")
    elif case == "crowd":
        n = int(sys.argv[3])
        socks = []
        for _ in range(n):
            try:
                socks.append(connect(path))
            except OSError:
                socks.append(None)
        req = (json.dumps({"line": "show rule", "json": True}) + "\n").encode()
        for s in socks:
            if s:
                try:
                    s.sendall(req)
                except OSError:
                    pass
        counts = {"ok": 0, "busy": 0, "other": 0}
        for s in socks:
            reply = read_all(s) if s else ""
            try:
                r = json.loads(reply.splitlines()[0]) if reply else {}
            except ValueError:
                r = {}
            if r.get("rc") == 0:
                counts["ok"] += 1
            elif "busy" in r.get("error", "") or reply == "reset":
                counts["busy"] += 1
            else:
                counts["other"] += 1
            if s:
                s.close()
        print(" ".join(f"{k}={v}" for k, v in counts.items()))


def ask(path, payload):
    s = connect(path)
    try:
        s.sendall(payload)
    except OSError:
        pass  # the agent stopped reading: its reply says why
    reply = read_all(s)
    s.close()
    return reply


def slowloris(path, n, seconds):
    socks = []
    for _ in range(n):
        try:
            s = connect(path)
            s.setblocking(False)
            socks.append(s)
        except OSError:
            pass
    cut = answered = 0
    alive = list(socks)
    end = time.monotonic() + seconds
    while alive and time.monotonic() < end:
        for s in list(alive):
            try:
                s.send(b"{")
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                cut += 1
                alive.remove(s)
                continue
            if not data or b"error" in data:
                cut += 1
            else:
                answered += 1
            alive.remove(s)
        time.sleep(1)
    for s in socks:
        s.close()
    print(f"cut={cut} answered={answered}")


def extra(path, case, args):
    if case == "request":
        print(ask(path, args[0].encode() + b"\n"))
    elif case == "line":
        print(ask(path, (json.dumps({"line": args[0]}) + "\n").encode()))
    elif case == "big":
        print(ask(path, b'{"line": "' + b"A" * int(args[0]) + b'"}\n'))
    elif case == "deep":
        n = int(args[0])
        print(ask(path, b'{"line": ' + b"[" * n + b"]" * n + b"}\n"))
    elif case == "badutf8":
        print(ask(path, b'{"line": "show \xff\xfe rule"}\n'))
    elif case == "slowloris":
        slowloris(path, int(args[0]), float(args[1]))
    elif case == "cycles":
        for _ in range(int(args[0])):
            connect(path).close()
        print("done", args[0])
    else:
        return False
    return True


if __name__ == "__main__":
    # crowds need a descriptor each
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    if extra(sys.argv[1], sys.argv[2], sys.argv[3:]):
        sys.exit(0)
    main()
