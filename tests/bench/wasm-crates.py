#!/usr/bin/env python3
"""What each crate costs in the app's wasm: sums twiggy's shallow sizes by the crate that
names each function (the first path segment of its demangled name; for `<A as B>::f`, the
crate of A). Data segments and anything without a Rust path are grouped apart. Prints the
top crates and the top single items. Reads `twiggy top -n 1000000 --format csv <wasm>`."""
import csv
import re
import sys
from collections import defaultdict

def crate_of(name: str) -> str:
    if name.startswith("data[") or name.startswith("data segment"):
        return "(data segments)"
    if name.startswith("elem[") or name.startswith("table[") or name in ("\"function names\" subsection",):
        return "(tables and names)"
    text = name.lstrip("<&*")
    text = re.sub(r"^(mut |dyn |impl |const )+", "", text)
    match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)::", text)
    if not match:
        return "(other: " + (name[:30] + "…" if len(name) > 30 else name) + ")"
    crate = match.group(1)
    return crate

def main(path: str, top: int = 25) -> None:
    by_crate = defaultdict(int)
    items = []
    total = 0
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            name = row["Name"]
            size = int(row["ShallowSize"])
            if name.startswith("Σ") or name.startswith("... and"):
                continue
            total += size
            by_crate[crate_of(name)] += size
            items.append((size, name))
    others = defaultdict(int)
    for crate, size in list(by_crate.items()):
        if crate.startswith("(other: "):
            others["(other: no Rust path)"] += size
            del by_crate[crate]
    by_crate.update(others)
    print(f"total {total / 1000:.0f} KB in {len(items)} items")
    print("| crate | KB | share |")
    print("|---|---|---|")
    for crate, size in sorted(by_crate.items(), key=lambda kv: -kv[1])[:top]:
        print(f"| {crate} | {size / 1000:.1f} | {100 * size / total:.1f}% |")
    print()
    print("| largest items | KB |")
    print("|---|---|")
    for size, name in sorted(items, reverse=True)[:15]:
        short = name if len(name) < 110 else name[:107] + "…"
        print(f"| `{short}` | {size / 1000:.1f} |")

if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25)
