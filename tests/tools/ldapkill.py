#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ldapkill - an LDAP relay on a unix socket that kills its client (SIGKILL,
the client found with SO_PEERCRED) just before that client's Nth write
request (add, modify, delete, modify DN) would reach the server: a writer
interrupted at an exact point, for tests/ldap/write.sh. With N = 0 it only
counts; with -N it cuts the connection there instead (the client lives on
and sees the server gone). COUNT-FILE holds the number of writes seen and their kinds in
order (a add, m modify, d delete, r rename), e.g. "5 aammd".

    ldapkill.py LISTEN-SOCKET SERVER-SOCKET N COUNT-FILE
"""
import os
import signal
import socket
import struct
import sys
import threading

WRITES = {0x68: "a", 0x66: "m", 0x4A: "d", 0x6C: "r"}  # add, modify, del, modDN requests

listen_path, server_path, kill_at, count_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
lock = threading.Lock()
writes = 0
kinds = ""


def ber_length(buf, at):
    """(length, offset after it) or None when buf is short."""
    if at >= len(buf):
        return None
    first = buf[at]
    if first < 0x80:
        return first, at + 1
    n = first & 0x7F
    if at + 1 + n > len(buf):
        return None
    return int.from_bytes(buf[at + 1:at + 1 + n], "big"), at + 1 + n


def op_of(msg):
    """The protocolOp tag of one LDAPMessage (SEQUENCE { messageID, op })."""
    length = ber_length(msg, 1)
    at = length[1]
    idlen = ber_length(msg, at + 1)
    return msg[idlen[1] + idlen[0]]


def pump_up(client, server, pid):
    global writes, kinds
    buf = b""
    while True:
        data = client.recv(65536)
        if not data:
            break
        buf += data
        while True:
            length = ber_length(buf, 1)
            if length is None or length[1] + length[0] > len(buf):
                break
            end = length[1] + length[0]
            msg, buf = buf[:end], buf[end:]
            if op_of(msg) in WRITES:
                with lock:
                    writes += 1
                    kinds += WRITES[op_of(msg)]
                    with open(count_file, "w") as f:
                        f.write("%d %s\n" % (writes, kinds))
                    if writes == abs(kill_at):
                        if kill_at > 0:
                            os.kill(pid, signal.SIGKILL)
                        client.close()
                        server.close()
                        return
            server.sendall(msg)
    server.shutdown(socket.SHUT_WR)


def pump_down(server, client):
    try:
        while True:
            data = server.recv(65536)
            if not data:
                break
            client.sendall(data)
    except OSError:
        pass


def serve(client):
    creds = client.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid = struct.unpack("3i", creds)[0]
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.connect(server_path)
    threading.Thread(target=pump_down, args=(server, client), daemon=True).start()
    try:
        pump_up(client, server, pid)
    except OSError:
        pass


def main():
    with open(count_file, "w") as f:
        f.write("0 -\n")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(listen_path)
    s.listen(8)
    while True:
        client, _ = s.accept()
        threading.Thread(target=serve, args=(client,), daemon=True).start()


main()
