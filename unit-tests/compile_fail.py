#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compile-fail tests: what the layer refuses at compile time is refused.

Each unit-tests/compile-fail/*.cpp compiles as it is (so its includes and
its good uses are fine), and each case in it, an `#if defined(NAME)` or
`#elif defined(NAME)` block with an `// expect: TEXT` line, must fail to
compile with NAME defined, with TEXT in the compiler's errors.

    unit-tests/compile_fail.py CXX FLAGS... -- FILE...

Prints a line per case and exits 1 if any is wrong.
"""
import re
import subprocess
import sys

CASE = re.compile(r"^#(?:el)?if defined\((\w+)\)\n// expect: (.*)$", re.M)


def compile_(command, source, define=None):
    args = command + ["-fsyntax-only", source] + ([f"-D{define}"] if define else [])
    result = subprocess.run(args, capture_output=True, text=True)
    return result.returncode, result.stderr


def main(argv):
    split = argv.index("--")
    command, files = argv[1:split], argv[split + 1:]
    failed, cases = 0, 0
    for source in files:
        rc, err = compile_(command, source)
        if rc != 0:
            print(f"compile-fail: {source} does not compile as it is:\n{err}")
            failed += 1
            continue
        for name, expect in CASE.findall(open(source).read()):
            cases += 1
            rc, err = compile_(command, source, name)
            if rc == 0:
                print(f"compile-fail: {source} {name}: compiled, but must fail with '{expect}'")
                failed += 1
            elif expect not in err:
                print(f"compile-fail: {source} {name}: failed, but not with '{expect}':\n{err[:2000]}")
                failed += 1
    if failed:
        print(f"compile-fail: FAILED: {failed} of {cases} cases (and files) are wrong")
        return 1
    print(f"compile-fail: {cases} cases in {len(files)} files fail to compile as they must")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
