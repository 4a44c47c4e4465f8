#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks README.md and docs/*.md against the tree: every relative link
resolves to a file or folder (anchors are not checked), and every
`make TARGET` they show in code (inline or a block, shell comments
aside) names a target the Makefile has: the first word after make that is
neither an option nor a VAR=value. `make -C ...` commands and the kernel
tree's own targets are skipped. README.md, a newcomer's page, stays within
README_LINES lines.

    scripts/check-docs.py [TREE]

Prints one line per finding and exits 1, or one summary line and exits 0.
"""
import pathlib
import re
import sys

# Targets of the kernel's own Makefile, which the docs show run in a kernel
# tree, not in ours.
KERNEL_TARGETS = {"modules", "modules_install", "allnoconfig", "defconfig", "olddefconfig",
                  "kernelrelease", "menuconfig", "bzImage", "vmlinux", "headers_install"}
README_LINES = 150
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", re.S)
MAKE = re.compile(r"(?<![\w./$-])make((?:[ \t]+[^\s;&|#)]+)*)")
RULE = re.compile(r"^([A-Za-z0-9_.%-][A-Za-z0-9_. %-]*?)\s*::?(?!=)", re.M)


def targets(makefile):
    found = set()
    for m in RULE.finditer(makefile.read_text()):
        found.update(t for t in m.group(1).split() if "%" not in t and "$" not in t)
    return found


def main(tree):
    tree = pathlib.Path(tree).resolve()
    have = targets(tree / "Makefile")
    pages = [tree / "README.md"] + sorted((tree / "docs").glob("*.md"))
    findings, links, makes = [], 0, 0
    readme = pages[0].read_text().count("\n")
    if readme > README_LINES:
        findings.append(f"README.md: {readme} lines: a newcomer's page has at most {README_LINES}; "
                        "move detail into docs/")
    for page in pages:
        text = page.read_text()
        where = page.relative_to(tree)
        for m in LINK.finditer(text):
            target = m.group(1)
            if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # a URL, a mail address, or an anchor on this page
            links += 1
            path = target.split("#", 1)[0]
            resolved = (tree if path.startswith("/") else page.parent) / path.lstrip("/")
            if not resolved.exists():
                line = text.count("\n", 0, m.start()) + 1
                findings.append(f"{where}:{line}: link to {target}: no such file")
        for code in CODE.finditer(text):
            body = code.group(1) if code.group(1) is not None else code.group(2)
            # Shell comments are prose.
            body = re.sub(r"(^|\s)#.*", "", body, flags=re.M)
            for m in MAKE.finditer(body):
                words = m.group(1).split()
                if "-C" in words or "-f" in words or any(w.startswith(("LLVM=", "O=")) for w in words):
                    continue
                for word in words:
                    if word.startswith("-") or "=" in word:
                        continue
                    if not re.fullmatch(r"[A-Za-z0-9_.-]+", word):
                        break  # a placeholder (<target>, [...]) or prose
                    if word in KERNEL_TARGETS:
                        break
                    makes += 1
                    if word not in have:
                        line = text.count("\n", 0, code.start()) + body.count("\n", 0, m.start()) + 1
                        findings.append(f"{where}:{line}: `make {word}`: the Makefile has no target {word}")
                    break  # the target; what follows is its arguments or prose
    for finding in findings:
        print(f"check-docs: {finding}")
    if findings:
        print(f"check-docs: FAILED: {len(findings)} finding(s): mend the link or the target name above")
        return 1
    print(f"check-docs: {len(pages)} pages, {links} relative links and {makes} make targets, all found")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent))
