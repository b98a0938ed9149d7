#!/usr/bin/env python3
"""agentsock.py SOCKET CASE - abuses the policy agent's socket and prints
what came back, for tests/e2e/agent.sh:
  garbage   a line that is not JSON        -> the reply
  silent    connect and say nothing        -> the reply, and seconds waited
  half      half a request, then close     -> "closed"
  crowd N   N clients at once, each asks `show rule`
            -> "ok=A busy=B other=C": answered, turned away (told busy, or
            reset when the agent closed on a request it would not read),
            neither"""
import json
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


if __name__ == "__main__":
    main()
