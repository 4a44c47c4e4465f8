#!/usr/bin/python3
"""Turns make bench's raw measurements into the table and results.json.

usage: report.py OUT CXX_KO C_KO
Medians over the rounds of one VM run; ratios are taken between medians,
except C++/floor: the median of the ratios of reads timed as pairs.
"""
import json
import pathlib
import statistics
import subprocess
import sys

out, cxx_ko, c_ko = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
rows = [json.loads(line) for line in (out / "raw.jsonl").read_text().splitlines()]


def median(what, module, key="ns"):
    return statistics.median(r[key] for r in rows if r["what"] == what and r["module"] == module)


def worst(what, module, key):
    return max(r[key] for r in rows if r["what"] == what and r["module"] == module)


def paired(module):
    """Median over the rounds of a module's read time over its paired floor."""
    return statistics.median(r["ns"] / r["floor_ns"] for r in rows
                             if r["what"] == "json_pread" and r["module"] == module)


def sizes(ko):
    """Berkeley text/data/bss from size(1), and the code alone (.text*)."""
    text, data, bss = subprocess.run(["size", ko], capture_output=True, text=True,
                                     check=True).stdout.splitlines()[1].split()[:3]
    sections = subprocess.run(["size", "-A", ko], capture_output=True, text=True,
                              check=True).stdout.splitlines()
    code = sum(int(line.split()[1]) for line in sections
               if line.split() and line.split()[0].startswith((".text", ".init.text", ".exit.text")))
    return {"text": int(text), "data": int(data), "bss": int(bss), "code": code}


cxx, c = sizes(cxx_ko), sizes(c_ko)
m = {
    "cxx_pread_ns": median("json_pread", "cxx"),
    "c_pread_ns": median("json_pread", "c"),
    "floor_pread_ns": median("json_pread", "cxx", "floor_ns"),
    "procsys_ns": median("procsys", "cxx"),
    "cxx_readers_1": median("readers_1", "cxx", "reads_per_s"),
    "cxx_readers_2": median("readers_2", "cxx", "reads_per_s"),
    "c_readers_1": median("readers_1", "c", "reads_per_s"),
    "c_readers_2": median("readers_2", "c", "reads_per_s"),
    "cxx_write_ns": median("writes_0", "cxx", "write_ns"),
    "c_write_ns": median("writes_0", "c", "write_ns"),
    "cxx_same_write_ns": median("writes_0", "cxx", "same_write_ns"),
    "c_same_write_ns": median("writes_0", "c", "same_write_ns"),
    "cxx_write_1_ns": median("writes_1", "cxx", "write_ns"),
    "cxx_write_100_ns": median("writes_100", "cxx", "write_ns"),
    "cxx_same_write_100_ns": median("writes_100", "cxx", "same_write_ns"),
    "wake_1_ns": median("writes_1", "cxx", "wake_ns"),
    "wake_1_max_ns": worst("writes_1", "cxx", "wake_max_ns"),
    "wake_100_ns": median("writes_100", "cxx", "wake_ns"),
    "wake_100_last_ns": median("writes_100", "cxx", "wake_last_ns"),
    "wake_100_max_ns": worst("writes_100", "cxx", "wake_max_ns"),
}
ratios = {
    "cxx_over_c": m["cxx_pread_ns"] / m["c_pread_ns"],
    # Each /dev/json timing has its own floor, taken in alternating batches.
    "cxx_over_floor": paired("cxx"),
    # The modules are loaded in turn, never together; each over its own
    # paired floor, the host's noise between their turns cancels.
    "cxx_over_c_paired": paired("cxx") / paired("c"),
    "procsys_over_cxx": m["procsys_ns"] / m["cxx_pread_ns"],
    "cxx_2_over_1_readers": m["cxx_readers_2"] / m["cxx_readers_1"],
    "c_2_over_1_readers": m["c_readers_2"] / m["c_readers_1"],
    "text_cxx_over_c": cxx["text"] / c["text"],
    "code_cxx_over_c": cxx["code"] / c["code"],
    "write_cxx_over_c": m["cxx_write_ns"] / m["c_write_ns"],
    "write_100_over_0": m["cxx_write_100_ns"] / m["cxx_write_ns"],
    "same_write_100_over_0": m["cxx_same_write_100_ns"] / m["cxx_same_write_ns"],
}
targets = {
    "C++ read <= 1.0x C": ratios["cxx_over_c"] <= 1.0,
    "C++ read <= 1.5x /dev/zero floor": ratios["cxx_over_floor"] <= 1.5,
    ">= 40x faster than /proc/sys": ratios["procsys_over_cxx"] >= 40,
    "C++ text <= 1.25x C": ratios["text_cxx_over_c"] <= 1.25,
}
kernel = (out / "kernel").read_text().strip()
rounds = max(r["round"] for r in rows)
met = {True: "met", False: "**missed**"}

table = f"""Kernel {kernel}, QEMU TCG, 2 vCPUs, medians of {rounds} rounds (one VM run).

| measurement | C++ (jsonsysctl.ko) | C (yardstick) | ratio |
| --- | --- | --- | --- |
| ns per `pread(fd, buf, 64, 0)` on /dev/json | {m['cxx_pread_ns']:.0f} | {m['c_pread_ns']:.0f} | C++/C {ratios['cxx_over_c']:.2f} ({ratios['cxx_over_c_paired']:.2f} over paired floors) |
| ns per `pread(fd, buf, 32, 0)` on /dev/zero (floor, batches alternating with /dev/json's) | {m['floor_pread_ns']:.0f} | | C++/floor {ratios['cxx_over_floor']:.2f} (median of paired ratios) |
| ns per snapshot via open/read/close of 3 /proc/sys files | {m['procsys_ns']:.0f} | | procsys/C++ {ratios['procsys_over_cxx']:.1f} |
| reads/s, 1 reader | {m['cxx_readers_1']:.0f} | {m['c_readers_1']:.0f} | |
| reads/s, 2 readers | {m['cxx_readers_2']:.0f} | {m['c_readers_2']:.0f} | 2/1: C++ {ratios['cxx_2_over_1_readers']:.2f}, C {ratios['c_2_over_1_readers']:.2f} |
| `size` text / data / bss (bytes) | {cxx['text']} / {cxx['data']} / {cxx['bss']} | {c['text']} / {c['data']} / {c['bss']} | text C++/C {ratios['text_cxx_over_c']:.2f} |
| code: .text + .init.text + .exit.text (bytes) | {cxx['code']} | {c['code']} | C++/C {ratios['code_cxx_over_c']:.2f} |
| ns per sysctl write that changes a value, nobody polling | {m['cxx_write_ns']:.0f} | {m['c_write_ns']:.0f} | C++/C {ratios['write_cxx_over_c']:.2f} |
| ns per sysctl write that changes a value, 100 pollers asleep | {m['cxx_write_100_ns']:.0f} | | 100/0 pollers {ratios['write_100_over_0']:.2f} |
| ns per sysctl write that changes nothing, nobody polling / 100 pollers | {m['cxx_same_write_ns']:.0f} / {m['cxx_same_write_100_ns']:.0f} | {m['c_same_write_ns']:.0f} / | 100/0 pollers {ratios['same_write_100_over_0']:.2f} |
| ns from a changing write to the poller's return, 1 poller: median / worst | {m['wake_1_ns']:.0f} / {m['wake_1_max_ns']:.0f} | | |
| ns from a changing write to a poller's return, 100 pollers: median / last poller (median) / worst | {m['wake_100_ns']:.0f} / {m['wake_100_last_ns']:.0f} / {m['wake_100_max_ns']:.0f} | | |

Targets: """ + "; ".join(f"{name}: {met[ok]}" for name, ok in targets.items()) + "."

print(table)
(out / "results.json").write_text(json.dumps(
    {"kernel": kernel, "rounds": rounds, "medians": m, "ratios": ratios,
     "sizes": {"cxx": cxx, "c": c}, "targets": targets}, indent=2) + "\n")
(out / "results.md").write_text(table + "\n")
