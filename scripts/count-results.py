#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Counts TAP subtests across meson test logs and TAP files; prints the
per-test failures and the final "N passed, N failed" line."""
import json
import os
import re
import sys

TAP = re.compile(r"^(not ok|ok)\b(.*)$")


def count_tap(text, where, failures):
    passed = failed = 0
    for line in text.splitlines():
        m = TAP.match(line)
        if not m:
            continue
        if m.group(1) == "ok":
            passed += 1
        elif "# TODO" in m.group(2):
            failures.append(f"{where}: known, not counted: {line}")
        else:
            failed += 1
            failures.append(f"{where}: {line}")
    return passed, failed


def main(paths):
    passed = failed = 0
    failures = []
    for path in paths:
        if not os.path.exists(path):
            continue
        if path.endswith(".json"):
            build = os.path.dirname(os.path.dirname(path))
            with open(path) as f:
                for line in f:
                    rec = json.loads(line)
                    where = f"{build}: {rec['name']}"
                    p, fl = count_tap(rec.get("stdout") or "", where, failures)
                    # A crash or a bad exit status counts even when no
                    # subtest said "not ok".
                    if rec.get("result") not in ("OK", "EXPECTEDFAIL", "SKIP") and fl == 0:
                        fl = 1
                        failures.append(f"{where}: {rec.get('result')}")
                    passed += p
                    failed += fl
        else:
            with open(path) as f:
                p, fl = count_tap(f.read(), path, failures)
            passed += p
            failed += fl
    for line in failures:
        print("KNOWN" if ": known, not counted: " in line else "FAILED", line)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
