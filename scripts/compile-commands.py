#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Writes compile_commands.json from the .*.o.cmd files Kbuild left.

usage: compile-commands.py KDIR TREE OUTPUT

KDIR is the kernel build directory the module was built in, TREE this
repository (M=), OUTPUT the file to write.

Kbuild records every object's exact command in .<obj>.cmd, the C++ rule in
Kbuild as much as its own C rule: `cmd_<obj> := <compiler> <flags> -c -o
<obj> <source> ; <objtool ...>` (`savedcmd_` since 6.5) and `source_<obj> :=
<source>`. The kernel's own gen_compile_commands.py reads the same files but
only knows .c and .S, and Debian does not ship it. Commands run in KDIR (the
flags hold -I./include and the like), so that is every entry's directory.

The objects are jsonsysctl's (the tree's top) and each example's
(examples/<name>/, a module of its own); every module compiles its own copy
of kcxx/glue.c and kcxx/runtime.cpp, and a source gets the first module's
command. The test variants under build/ are left out.

The headers in kcxx/include/ and module/ get entries of their own: the
command of the first C++ object, with the header as its source, so clangd
parses them as the C++ they are instead of guessing a command from glue.c.
glue.h and errnos.h are valid C and C++; they get glue.c's command, as C.
"""
import glob
import json
import os
import re
import shlex
import sys

CMD = re.compile(r'^(?:saved)?cmd_(\S+\.o) := (.*)$')
SOURCE = re.compile(r'^source_(\S+\.o) := (\S+)$')


def entries(kdir, tree):
    found = []
    seen = set()
    cmdfiles = sorted(glob.glob(os.path.join(tree, '.*.o.cmd')) +
                      glob.glob(os.path.join(tree, 'module', '.*.o.cmd'))) + \
        sorted(glob.glob(os.path.join(tree, 'examples', '*', '.*.o.cmd')))
    for cmdfile in cmdfiles:
        cmd = source = None
        with open(cmdfile) as f:
            for line in f:
                m = CMD.match(line)
                if m:
                    # The compile is the part before objtool's "; ...".
                    cmd = m.group(2).split(' ; ')[0].strip()
                m = SOURCE.match(line.rstrip('\n'))
                if m:
                    source = m.group(2)
        if not cmd or not source or not source.startswith(tree + '/') \
                or not os.path.exists(source) or source in seen:
            continue  # A kernel source, a stale object, not a compile, or a second copy.
        seen.add(source)
        found.append({'directory': kdir, 'file': source, 'command': cmd})
    return found


def header_entries(tree, compiled):
    """A command for each header, taken from a compiled file's."""
    def like(suffix):
        return next((e for e in compiled if e['file'].endswith(suffix)), None)
    cxx, c = like('.cpp'), like('/glue.c')
    out = []
    headers = sorted(glob.glob(os.path.join(tree, 'kcxx', 'include', '*.h')) +
                     glob.glob(os.path.join(tree, 'module', '*.h')))
    for header in headers:
        model = c if os.path.basename(header) in ('glue.h', 'errnos.h') else cxx
        if not model:
            continue
        words = shlex.split(model['command'])
        words = [header if w == model['file'] else w for w in words]
        lang = 'c' if model is c else 'c++'
        # Syntax only: no object, no dependency file; -x names the language.
        words = [w for w in words if not w.startswith('-Wp,-MMD')]
        i = words.index('-o')
        del words[i:i + 2]
        words[1:1] = ['-x', lang]
        out.append({'directory': model['directory'], 'file': header,
                    'command': shlex.join(words)})
    return out


def main():
    if len(sys.argv) != 4:
        sys.exit('usage: compile-commands.py KDIR TREE OUTPUT')
    kdir, tree = (os.path.realpath(a) for a in sys.argv[1:3])
    out = sys.argv[3]
    compiled = entries(kdir, tree)
    if not any(e['file'].endswith('.cpp') for e in compiled) or \
            not any(e['file'].endswith('.c') for e in compiled):
        sys.exit('compile-commands.py: no .o.cmd files for the C and C++ objects '
                 f'under {tree}; build the module first (make)')
    db = compiled + header_entries(tree, compiled)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out + '.tmp', 'w') as f:
        json.dump(db, f, indent=1)
        f.write('\n')
    os.replace(out + '.tmp', out)
    print(f'  GEN     {out}: {len(compiled)} objects and {len(db) - len(compiled)} headers, '
          f'as built in {kdir}')


if __name__ == '__main__':
    main()
