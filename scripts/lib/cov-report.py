#!/usr/bin/env python3
"""Line coverage of the series' own lines (make coverage).

Usage: cov-report.py TREE GCOVR_JSON

TREE is a git checkout of the series with the tag "base" and the part notes
(refs/notes/part) of scripts/lib/patchq.sh; GCOVR_JSON is the merged report
of gcovr --json. gcovr decides which lines are code and how often they ran;
git blame decides which lines are the series': those whose last change is a
commit in base..HEAD. The part of a line is the part of that commit.
"""

import collections
import json
import subprocess
import sys


def git(tree, *args):
    return subprocess.run(["git", "-C", tree, *args], check=True,
                          capture_output=True, text=True).stdout


def series_parts(tree):
    """Commit -> part, for every commit of base..HEAD."""
    out = git(tree, "log", "--format=%H %N", "--notes=refs/notes/part",
              "base..HEAD")
    parts = {}
    for line in out.splitlines():
        words = line.split()
        if len(words) >= 2 and len(words[0]) == 40:
            parts[words[0]] = words[1]
        elif len(words) == 1 and len(words[0]) == 40:
            parts[words[0]] = "?"
    return parts


def blame(tree, path):
    """Final line number -> commit, from git blame --porcelain."""
    out = git(tree, "blame", "--porcelain", "base..HEAD", "--", path)
    owner = {}
    for line in out.splitlines():
        words = line.split()
        if (len(words) in (3, 4) and len(words[0]) == 40
                and words[1].isdigit() and words[2].isdigit()):
            owner[int(words[2])] = words[0]
    return owner


def is_test(path):
    """A KUnit file: its lines are tests, not the code under test."""
    name = path.rsplit("/", 1)[-1]
    return name.endswith(("_kunit.c", "-test.c"))


def pct(ran, lines):
    return "%5.1f%%" % (100.0 * ran / lines) if lines else "    -"


def main():
    tree, report = sys.argv[1], sys.argv[2]
    parts = series_parts(tree)
    order = []
    for sha in reversed(git(tree, "rev-list", "base..HEAD").split()):
        if parts.get(sha) not in order:
            order.append(parts.get(sha))

    with open(report) as f:
        files = json.load(f)["files"]

    # (file, part) -> [code lines, lines that ran]
    per_file = collections.defaultdict(lambda: [0, 0])
    per_part = collections.defaultdict(lambda: [0, 0])
    per_part_code = collections.defaultdict(lambda: [0, 0])
    changed = set(git(tree, "diff", "--name-only", "base", "HEAD").split())
    for entry in files:
        path = entry["file"]
        if path not in changed:
            continue
        owner = blame(tree, path)
        for line in entry["lines"]:
            if line["gcovr/noncode"] or line["gcovr/excluded"]:
                continue
            sha = owner.get(line["line_number"])
            if sha not in parts:
                continue
            part = parts[sha]
            ran = 1 if line["count"] > 0 else 0
            accs = [per_file[(path, part)], per_part[part]]
            if not is_test(path):
                accs.append(per_part_code[part])
            for acc in accs:
                acc[0] += 1
                acc[1] += ran

    print()
    print("Lines of the series that gcov counts as code, and how many ran")
    print("(all files; and without the KUnit files, *_kunit.c and *-test.c):")
    print("  %-12s %7s %7s %7s   %7s %7s %7s" %
          ("part", "lines", "ran", "", "lines", "ran", ""))
    total = [0, 0, 0, 0]
    for part in order:
        lines, ran = per_part.get(part, (0, 0))
        clines, cran = per_part_code.get(part, (0, 0))
        for i, v in enumerate((lines, ran, clines, cran)):
            total[i] += v
        print("  %-12s %7d %7d %7s   %7d %7d %7s" %
              (part, lines, ran, pct(ran, lines), clines, cran,
               pct(cran, clines)))
    print("  %-12s %7d %7d %7s   %7d %7d %7s" %
          ("total", total[0], total[1], pct(total[1], total[0]),
           total[2], total[3], pct(total[3], total[2])))
    print()
    print("By file (the series' lines only):")
    print("  %-44s %-10s %6s %6s %7s" % ("file", "part", "lines", "ran", ""))
    for (path, part) in sorted(per_file,
                               key=lambda k: (order.index(k[1]), k[0])):
        lines, ran = per_file[(path, part)]
        print("  %-44s %-10s %6d %6d %7s" % (path, part, lines, ran,
                                             pct(ran, lines)))
    # Files of the series with lines but no counters at all: not built
    # into the coverage kernel, or not profiled.
    seen = {path for path, _ in per_file}
    missing = sorted(p for p in changed
                     if p.endswith(".c") and p not in seen
                     and not p.startswith(("tools/", "scripts/",
                                           "Documentation/")))
    if missing:
        print()
        print("C files of the series without counters (not built, or only "
              "#included):")
        for path in missing:
            print("  " + path)


if __name__ == "__main__":
    main()
