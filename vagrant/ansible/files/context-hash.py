#!/usr/bin/env python3
"""Prints the content hash opsbot tags an app's image with (engine: io.opsbot.cluster.docker.BuildContext).

Usage: context-hash.py BUILD_CONTEXT_DIR

The first 12 hex digits of SHA-256 over every file the Docker daemon would receive (all but .git and what
.dockerignore excludes; Dockerfile and .dockerignore always count), sorted by '/'-separated path: for each,
a 4-byte big-endian length and the UTF-8 path, then 'L' + 8-byte length + link target for a symbolic link,
or 'X' (executable) / 'F' + 8-byte size + content for a file. Timestamps and owners do not count, so
Ansible and opsbot give the same tag to the same context and a deploy by one is no change for the other.
"""
import hashlib
import os
import re
import struct
import sys

ALWAYS_SENT = {"Dockerfile", ".dockerignore"}


def to_regex(pattern):
    """A .dockerignore pattern as a regex, by Docker's rules (as BuildContext.toRegex)."""
    out = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if i + 1 < n and pattern[i + 1] == "*":
                i += 1
                if i + 1 < n and pattern[i + 1] == "/":
                    i += 1
                out.append(".*" if i + 1 == n else "(.*/)?")
            else:
                out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append("\\[")
            else:
                body = pattern[i + 1:end]
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = end
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out))


def ignore_rules(context):
    path = os.path.join(context, ".dockerignore")
    rules = []
    if not os.path.isfile(path):
        return rules
    with open(path, encoding="utf-8") as f:
        for line in f.read().splitlines():
            pattern = line.strip()
            if not pattern or pattern.startswith("#"):
                continue
            exclude = True
            if pattern.startswith("!"):
                exclude = False
                pattern = pattern[1:].strip()
            pattern = re.sub(r"/+$", "", re.sub(r"^(\./|/)+", "", pattern))
            if pattern:
                rules.append((to_regex(pattern), exclude))
    return rules


def ignored(rules, relative):
    result = False
    for regex, exclude in rules:
        path = relative
        while True:
            if regex.fullmatch(path):
                result = exclude
                break
            if "/" not in path:
                break
            path = path.rsplit("/", 1)[0]
    return result


def in_git(relative):
    return relative == ".git" or relative.startswith(".git/") or "/.git/" in relative


def files(context):
    rules = ignore_rules(context)
    found = []
    for root, dirs, names in os.walk(context):
        # A link to a folder counts as a link (os.walk lists it among dirs and does not enter it).
        entries = names + [d for d in dirs if os.path.islink(os.path.join(root, d))]
        for name in entries:
            relative = os.path.relpath(os.path.join(root, name), context).replace(os.sep, "/")
            if relative in ALWAYS_SENT or (not in_git(relative) and not ignored(rules, relative)):
                found.append(relative)
    # Java sorts by UTF-16 code units; the same order for the names of any build context here.
    return sorted(found)


def context_hash(context):
    sha = hashlib.sha256()
    for relative in files(context):
        path = os.path.join(context, relative)
        name = relative.encode("utf-8")
        sha.update(struct.pack(">i", len(name)))
        sha.update(name)
        if os.path.islink(path):
            target = os.readlink(path).encode("utf-8")
            sha.update(b"L")
            sha.update(struct.pack(">q", len(target)))
            sha.update(target)
        else:
            sha.update(b"X" if os.access(path, os.X_OK) else b"F")
            sha.update(struct.pack(">q", os.path.getsize(path)))
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(64 * 1024), b""):
                    sha.update(chunk)
    return sha.hexdigest()[:12]


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit("usage: context-hash.py BUILD_CONTEXT_DIR")
    print(context_hash(sys.argv[1]))
