"""File hygiene checks for pre-commit, without downloading pre-commit-hooks.

Usage: python scripts/check_hygiene.py CHECK [FILE ...]

CHECK is one of:
  trailing-whitespace   strip spaces and tabs at the end of lines (fixes the file)
  end-of-file           end every non-empty file with exactly one newline (fixes the file)
  mixed-line-ending     one kind of line ending per file: a file that mixes them is
                        rewritten with the one it uses most (fixes the file)
  check-yaml            every .yml/.yaml file parses (all documents)
  merge-conflict        no leftover merge conflict markers

Binary files (with a NUL byte in their first 8 KB) are skipped. Exits 1 when any file
failed or was changed, listing each, as pre-commit's own hooks do.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import yaml


def _is_binary(data: bytes) -> bool:
    return b"\0" in data[:8192]


def trailing_whitespace(path: Path, data: bytes) -> str | None:
    fixed = re.sub(rb"[ \t]+(?=\r?\n|\r|$)", b"", data)
    if fixed != data:
        path.write_bytes(fixed)
        return "trailing whitespace removed"
    return None


def end_of_file(path: Path, data: bytes) -> str | None:
    if not data.strip(b"\r\n"):
        return None
    ending = b"\r\n" if data.count(b"\r\n") == data.count(b"\n") else b"\n"
    fixed = data.rstrip(b"\r\n") + ending
    if fixed != data:
        path.write_bytes(fixed)
        return "end of file fixed (exactly one final newline)"
    return None


def mixed_line_ending(path: Path, data: bytes) -> str | None:
    crlf = data.count(b"\r\n")
    lone_cr = len(re.findall(rb"\r(?!\n)", data))
    lf = data.count(b"\n") - crlf
    kinds = {b"\r\n": crlf, b"\r": lone_cr, b"\n": lf}
    if sum(1 for n in kinds.values() if n) <= 1:
        return None
    most = max(kinds, key=lambda k: kinds[k])
    path.write_bytes(re.sub(rb"\r\n|\r|\n", lambda _: most, data))
    return f"mixed line endings: rewritten with {most!r}"


def check_yaml(path: Path, data: bytes) -> str | None:
    if path.suffix not in {".yml", ".yaml"}:
        return None
    try:
        list(yaml.safe_load_all(data))
    except yaml.YAMLError as exc:
        return f"YAML does not parse: {exc}".replace("\n", " ")
    return None


CONFLICT = re.compile(rb"^(<<<<<<< |>>>>>>> |\|\|\|\|\|\|\| )", re.MULTILINE)


def merge_conflict(path: Path, data: bytes) -> str | None:
    match = CONFLICT.search(data)
    if match:
        line = data.count(b"\n", 0, match.start()) + 1
        return f"merge conflict marker on line {line}"
    return None


CHECKS: dict[str, Callable[[Path, bytes], str | None]] = {
    "trailing-whitespace": trailing_whitespace,
    "end-of-file": end_of_file,
    "mixed-line-ending": mixed_line_ending,
    "check-yaml": check_yaml,
    "merge-conflict": merge_conflict,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in CHECKS:
        print(__doc__, file=sys.stderr)
        return 2
    check = CHECKS[argv[0]]
    failed = 0
    for name in argv[1:]:
        path = Path(name)
        if not path.is_file():
            continue
        data = path.read_bytes()
        if _is_binary(data):
            continue
        problem = check(path, data)
        if problem:
            print(f"{name}: {problem}")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
