#!/usr/bin/env python3
"""What a running process's resident memory is made of.

    Benchmarks/rss-breakdown.py PID [--top N]

1. Every mapping of /proc/PID/smaps grouped by what it is (a file's text, read-only data,
   writable data; heap; anonymous memory; stacks), with Rss split into anonymous and
   file-backed kB.
2. For each ELF file mapped (the binary, shared libraries), its resident pages (from
   /proc/PID/pagemap: needs root) attributed to the ELF sections they lie in, and the
   resident bytes of code and read-only data attributed to the module each symbol belongs
   to (Swift symbols by their mangled module name, C symbols by prefix: BoringSSL, ICU,
   CoreFoundation, libdispatch, libyaml, the Swift runtime).

A page is resident because something touched it *or a neighbour*: the kernel maps up to
64 kB of already-cached file around each fault (fault-around), so a module with one hot
function in a 64 kB block is charged the block. Python standard library plus `nm`.
"""
import argparse
import collections
import os
import re
import struct
import subprocess
import sys

PAGE = os.sysconf("SC_PAGE_SIZE")


def read_smaps(pid):
    """[(start, end, perms, offset, path, {field: kB})]"""
    maps, cur = [], None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) ([0-9a-f]+) \S+ \d+\s*(.*)$", line)
            if m:
                cur = (int(m[1], 16), int(m[2], 16), m[3], int(m[4], 16), m[5].strip(), {})
                maps.append(cur)
                continue
            k = re.match(r"^(\w+):\s+(\d+) kB", line)
            if k and cur:
                cur[5][k[1]] = int(k[2])
    return maps


def mapping_kind(perms, path, exe):
    if path == "[heap]":
        return "heap (brk)"
    if path.startswith("[stack"):
        return "main stack"
    if path.startswith("["):
        return path
    if not path:
        return "anonymous (malloc arenas, thread stacks, Swift allocations)"
    name = os.path.basename(path)
    if path == exe:
        name = f"{name} (the executable)"
    if "x" in perms:
        return f"{name}: code (r-x)"
    if "w" in perms:
        return f"{name}: data (rw-)"
    return f"{name}: read-only (r--)"


def elf_sections(path):
    """[(name, file_offset, size, flags)] of the sections that occupy file bytes when loaded."""
    with open(path, "rb") as f:
        data = f.read(64)
        if data[:4] != b"\x7fELF" or data[4] != 2:
            return []
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
        f.seek(shoff)
        raw = f.read(shentsize * shnum)
        hdrs = [struct.unpack_from("<IIQQQQIIQQ", raw, i * shentsize) for i in range(shnum)]
        f.seek(hdrs[shstrndx][4])
        names = f.read(hdrs[shstrndx][5])
    out = []
    for h in hdrs:
        name_off, typ, flags, addr, off, size = h[:6]
        if flags & 0x2 and typ != 8:  # SHF_ALLOC, not NOBITS (.bss)
            name = names[name_off:names.index(b"\0", name_off)].decode()
            out.append((name, off, size, addr))
    return out


SWIFT_MODULE = re.compile(r"^_?\$s(\d+)")
C_PREFIXES = [
    ("CNIOBoringSSL_", "BoringSSL (swift-nio-ssl)"),
    ("CCryptoBoringSSL_", "BoringSSL (swift-crypto)"),
    ("yaml_", "libyaml (Yams)"),
    ("llhttp_", "llhttp (NIOHTTP1)"),
    ("c_nio_", "NIO C shims"),
    ("_dispatch", "libdispatch"),
    ("dispatch_", "libdispatch"),
    ("__CF", "CoreFoundation"),
    ("_CF", "CoreFoundation"),
    ("CF", "CoreFoundation"),
    ("swift_", "Swift runtime (C++)"),
    ("_swift_", "Swift runtime (C++)"),
    ("_ZN5swift", "Swift runtime (C++)"),
    ("_ZNK5swift", "Swift runtime (C++)"),
    ("_ZN6__swift", "Swift runtime (C++)"),
    ("icudt", "ICU data"),
]
ICU = re.compile(r"^(_ZN\d*icu_|_ZNK?\d*icu_|u[a-z]*_\w+_\d+$|icu_|U_ICU)")


def module_of(sym):
    m = SWIFT_MODULE.match(sym)
    if m:
        n = int(m[1])
        start = m.end()
        mod = sym[start:start + n]
        return "Swift stdlib" if mod == "Swift" else mod
    if re.match(r"^_?\$s[A-Z]", sym):  # standard substitutions (SS = String, Si = Int, ...)
        return "Swift stdlib"
    for prefix, mod in C_PREFIXES:
        if sym.startswith(prefix):
            return mod
    if ICU.match(sym) or "icu_" in sym[:40]:
        return "ICU"
    if sym.startswith("_ZNSt") or sym.startswith("_ZSt") or sym.startswith("_ZNKSt"):
        return "C++ standard library"
    return "other C/C++"


def symbols(path, sections):
    """[(file_offset, size, module)] of sized symbols, from nm (symtab, else dynsym)."""
    def run(args):
        r = subprocess.run(["nm", *args, "-S", "--defined-only", path], capture_output=True, text=True)
        return r.stdout if r.returncode == 0 else ""
    text = run([]) or run(["-D"])
    out = []
    for line in text.splitlines():
        p = line.split(None, 3)
        if len(p) != 4:
            continue
        addr, size = int(p[0], 16), int(p[1], 16)
        if size == 0:
            continue
        sec = next((s for s in sections if s[3] <= addr < s[3] + s[2]), None)
        if sec is None:
            continue
        out.append((addr - sec[3] + sec[1], size, module_of(p[3])))
    return out


def resident_file_pages(pid, maps, path):
    """Set of file page indices of `path` that are present in PID's page tables."""
    pages = set()
    with open(f"/proc/{pid}/pagemap", "rb") as pm:
        for start, end, _perms, off, p, _f in maps:
            if p != path:
                continue
            n = (end - start) // PAGE
            pm.seek(start // PAGE * 8)
            raw = pm.read(n * 8)
            for i in range(n):
                entry, = struct.unpack_from("<Q", raw, i * 8)
                if entry >> 63 & 1:  # present (anonymous COW copies too: charged to the file)
                    pages.add(off // PAGE + i)
    return pages


def mb(kb):
    return f"{kb / 1024:8.1f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pid", type=int)
    ap.add_argument("--top", type=int, default=14, help="modules to list per file")
    args = ap.parse_args()
    pid = args.pid
    exe = os.readlink(f"/proc/{pid}/exe")
    maps = read_smaps(pid)

    groups = collections.defaultdict(lambda: [0, 0, 0])
    for _s, _e, perms, _o, path, f in maps:
        g = groups[mapping_kind(perms, path, exe)]
        g[0] += f.get("Rss", 0)
        g[1] += f.get("Anonymous", 0)
        g[2] += f.get("Rss", 0) - f.get("Anonymous", 0)
    total = sum(g[0] for g in groups.values())
    print(f"pid {pid} ({exe}): Rss {total / 1024:.1f} MB")
    print(f"{'mapping':<66s} {'Rss MB':>8s} {'anon MB':>8s} {'file MB':>8s}")
    for kind, (rss, anon, file) in sorted(groups.items(), key=lambda kv: -kv[1][0]):
        if rss >= 64:
            print(f"{kind[:66]:<66s} {mb(rss)} {mb(anon)} {mb(file)}")

    if os.geteuid() != 0:
        print("(not root: no page-level breakdown)")
        return
    files = collections.Counter()
    for _s, _e, _p, _o, path, f in maps:
        if path.startswith("/") and f.get("Rss", 0):
            files[path] += f["Rss"]
    for path, rss in files.most_common():
        if rss < 1024:
            continue
        try:
            secs = elf_sections(path)
        except OSError:
            continue
        if not secs:
            continue
        try:
            pages = resident_file_pages(pid, maps, path)
        except OSError:  # the process exited
            return
        print(f"\n{path}: {len(pages) * PAGE / 2**20:.1f} MB resident, by section:")
        by_sec = []
        for name, off, size, _addr in secs:
            first, last = off // PAGE, (off + size - 1) // PAGE
            res = sum(1 for p in range(first, last + 1) if p in pages)
            if res:
                by_sec.append((res * PAGE, name, size))
        for res, name, size in sorted(by_sec, reverse=True)[:12]:
            print(f"  {name:<34s} {res / 2**20:6.1f} MB of {size / 2**20:6.1f} MB")
        mods = collections.Counter()
        for off, size, mod in symbols(path, secs):
            end = off + size
            p = off // PAGE
            while p * PAGE < end:
                if p in pages:
                    mods[mod] += min(end, (p + 1) * PAGE) - max(off, p * PAGE)
                p += 1
        if mods:
            print(f"  resident bytes inside symbols, by module (code and constant data):")
            for mod, b in mods.most_common(args.top):
                print(f"    {mod:<40s} {b / 2**20:6.2f} MB")
            rest = sum(b for _m, b in mods.most_common()[args.top:])
            if rest:
                print(f"    {'(other modules)':<40s} {rest / 2**20:6.2f} MB")


if __name__ == "__main__":
    sys.exit(main())
