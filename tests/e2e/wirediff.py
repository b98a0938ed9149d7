#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""wirediff.py - the differential kernel test's two halves.

  wirediff.py gen SEED FILTERS PROBES DIR
      writes DIR/policy.netsh (a random policy of FILTERS filters, assigned),
      DIR/in.txt and DIR/out.txt (random probes, one ipbuild spec a line,
      inbound from the client's addresses, outbound from the server's) and
      DIR/all.txt (both, in order, for the expected verdicts)
  wirediff.py check DIR REPLAY.jsonl
      compares what crossed the wire (the probe ids the observer table put
      in its sets, read from DIR/seen-{in4,in6,out4,out6}.json, nft -j) with
      the reference classifier's verdicts (ipsecfw replay --each -j); prints
      every mismatch, exits 1 if there is one

Addresses are the test's own namespaces' (documentation ranges only).
"""
import json
import random
import sys

SERVER4, SERVER6 = "192.0.2.10", "2001:db8::10"
CLIENT4 = ["192.0.2.20", "192.0.2.5", "198.51.100.7"]
CLIENT6 = ["2001:db8::20", "2001:db8::5"]
BCAST4 = ["192.0.2.255", "255.255.255.255", "224.0.0.1"]
BCAST6 = ["ff02::1"]
PORTS = [22, 53, 80, 88, 137, 443, 500, 3389, 8080, 40000]
ADDRS4 = CLIENT4 + [SERVER4, "192.0.2.0/24", "192.0.2.0/28", "198.51.100.0/24"]
ADDRS6 = CLIENT6 + [SERVER6, "2001:db8::/64", "2001:db8::/120"]


def port_operand(rng):
    r = rng.random()
    if r < 0.45:
        return "0"
    if r < 0.85:
        return str(rng.choice(PORTS))
    lo = rng.choice([0, 1, 80, 1024, 3000])
    return "%d-%d" % (lo, lo + rng.choice([1, 10, 1000, 60000 - lo]))


def filter_line(rng, lst):
    # me and any go with both families; an address with its own family only
    family = ADDRS4 if rng.random() < 0.6 else ADDRS6
    pick = lambda: rng.choice(["me", "any"]) if rng.random() < 0.5 else rng.choice(family)
    src, dst = pick(), pick()
    proto = rng.choice(["TCP", "UDP", "TCP", "UDP", "ICMP", "ANY", "ANY", "47"])
    if proto == "ICMP" and family is ADDRS6 and (src not in ("me", "any") or dst not in ("me", "any")):
        proto = "ANY"  # ICMP is IPv4's; IPv6 addresses take no ICMP filter
    words = ['filterlist="%s"' % lst, "srcaddr=" + src, "dstaddr=" + dst,
             "mirrored=" + rng.choice(["yes", "no"]), "protocol=" + proto]
    if proto in ("TCP", "UDP"):
        words += ["srcport=" + port_operand(rng), "dstport=" + port_operand(rng)]
    elif proto == "ICMP" and rng.random() < 0.5:
        words.append("icmptype=%d" % rng.choice([0, 3, 8]))
        if rng.random() < 0.5:
            words.append("icmpcode=%d" % rng.choice([0, 1]))
    return "static add filter " + " ".join(words)


def gen_policy(rng, n_filters):
    lines = [
        'static add policy name="Diff" activatedefaultrule=no',
        "static add filteraction name=Pass action=permit",
        "static add filteraction name=Block action=block",
        "static add filteraction name=NegIn action=negotiate inpass=yes",
        "static add filteraction name=NegSoft action=negotiate soft=yes",
        "static add filteraction name=Neg action=negotiate",
        "dynamic set config ipsecexempt value=%d" % rng.randint(0, 3),
    ]
    actions = ["Pass", "Block", "Block", "Pass", "NegIn", "NegSoft", "Neg"]
    n_rules = 10
    seen = set()
    while len(seen) < n_filters:
        line = filter_line(rng, "L%d" % (len(seen) % n_rules))
        if line not in seen:  # a list refuses the same filter twice
            seen.add(line)
            lines.append(line)
    for r in range(n_rules):
        lines.append('static add rule name=R%d policy="Diff" filterlist=L%d filteraction=%s'
                     % (r, r, rng.choice(actions)))
    lines.append('static set policy name="Diff" assign=yes')
    return lines


def probe(rng, src, dst):
    proto = rng.choice(["tcp", "udp", "tcp", "udp", "icmp", "47"])
    if ":" in src and proto == "icmp":
        proto = "icmpv6"
    if proto.startswith("icmp"):
        types = [8, 0, 3] if proto == "icmp" else [128, 129, 1]
        a, b = rng.choice(types), rng.choice([0, 1])
    elif proto == "47":
        a = b = 0
    else:
        pick = lambda: rng.choice(PORTS) if rng.random() < 0.7 else rng.randint(1, 65535)
        a, b = pick(), pick()
    return "%s %s %s %d %d" % (proto, src, dst, a, b)


def gen(seed, n_filters, n_probes, out):
    rng = random.Random(seed)
    with open(out + "/policy.netsh", "w") as f:
        f.write("\n".join(gen_policy(rng, n_filters)) + "\n")
    inbound, outbound = [], []
    for _ in range(n_probes):
        v6 = rng.random() < 0.35
        clients = CLIENT6 if v6 else CLIENT4
        server = SERVER6 if v6 else SERVER4
        if rng.random() < 0.7:
            dst = server
            if rng.random() < 0.1:
                dst = rng.choice(BCAST6 if v6 else BCAST4)
            inbound.append(probe(rng, rng.choice(clients), dst))
        else:
            outbound.append(probe(rng, server, rng.choice(clients)))
    for name, lines in (("in", inbound), ("out", outbound), ("all", inbound + outbound)):
        with open("%s/%s.txt" % (out, name), "w") as f:
            f.write("\n".join(lines) + "\n")


def seen_ids(path):
    with open(path) as f:
        doc = json.load(f)
    for item in doc.get("nftables", []):
        if "set" in item:
            return set(e for e in item["set"].get("elem", []) if isinstance(e, int))
    return set()


def check(out, replay_path):
    with open(out + "/in.txt") as f:
        inbound = [l.strip() for l in f if l.strip()]
    with open(out + "/out.txt") as f:
        outbound = [l.strip() for l in f if l.strip()]
    with open(replay_path) as f:
        verdicts = [json.loads(l) for l in f if l.startswith("{")]
    seen = {k: seen_ids("%s/seen-%s.json" % (out, k)) for k in ("in4", "in6", "out4", "out6")}
    if len(verdicts) != len(inbound) + len(outbound):
        print("# replay gave %d verdicts for %d probes" % (len(verdicts), len(inbound) + len(outbound)))
        return 1
    bad = 0
    for direction, probes, offset in (("in", inbound, 0), ("out", outbound, len(inbound))):
        for i, spec in enumerate(probes):
            family = "6" if ":" in spec.split()[1] else "4"
            passed = (i + 1) in seen[direction + family]
            want = verdicts[offset + i]
            expect_pass = want["verdict"] == "PASS"
            if passed != expect_pass or want["direction"] != direction:
                bad += 1
                print("# %s probe %d (%s): wire %s, reference %s (%s; %s)" % (
                    direction, i + 1, spec, "PASS" if passed else "DROP", want["verdict"],
                    want["reason"], want.get("decided_by")))
    print("# %d probes, %d mismatches" % (len(inbound) + len(outbound), bad))
    return 1 if bad else 0


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "gen":
        gen(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        return check(sys.argv[2], sys.argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
