"""Pages on disk: finding them below a folder and reading one, safely.

Pages come from anywhere (pull requests among them), so a link is followed only while
it stays inside the input folder, and only regular files are read. Light on purpose: a
`generate` with nothing to parse (a no-op) lists and hashes pages with this module and
never imports the reader (docutils, pygments).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from codegen import files
from codegen.rst.errors import PageError


# A page is read whole into memory; the biggest page of the reference (EC2's) is a few
# MB. Anything over this is not a reference page, and is not read.
MAX_PAGE_BYTES = 64 * 1024 * 1024


def find_pages(path: Path) -> Iterator[tuple[Path, str]]:
    """(file, source name) for a page or every `*.rst` below a directory, in the order
    of their source names' parts.

    Symbolic links that stay inside the folder are followed (a linked service folder
    is read as if it were there), and the file yielded is the link's target. A link
    that leads outside the folder, nowhere, or to a folder that holds it (a loop) is
    yielded as the link itself, unfollowed: `read_page_bytes` refuses it without
    opening it. Pages come from pull requests, and a link to a credentials file must
    never be read."""
    for file, source in page_files(path):
        yield Path(file), source


def page_files(path: Path) -> list[tuple[str, str]]:
    """find_pages' pages, each file as a string: what a caller that only stats or opens
    them needs (a Path made for each of the whole reference's pages was a tenth of a
    no-op `generate`)."""
    if not path.is_dir():
        return [(os.path.realpath(path), path.as_posix())]
    root = os.path.realpath(path)
    found: list[tuple[str, str]] = []
    _walk(root, root, "", (root,), found)
    found.sort(key=lambda page: page[1].split("/"))
    return found


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def _walk(
    folder: str, root: str, prefix: str, ancestors: tuple[str, ...], found: list[tuple[str, str]]
) -> None:
    """Pages below `folder` (a real path, no link in it); `ancestors`: the real folders
    entered on the way down, where a link back is a loop."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        found.append((folder, prefix.rstrip("/") or "."))  # read_page_bytes says why
        return
    for entry in entries:
        source = prefix + entry.name
        is_page = entry.name.endswith(".rst")
        if entry.is_symlink():
            target = os.path.realpath(entry.path)
            if _inside(target, root) and os.path.isdir(target) and target not in ancestors:
                _walk(target, root, source + "/", (*ancestors, target), found)
            elif _inside(target, root) and os.path.exists(target) and not os.path.isdir(target):
                if is_page:
                    found.append((target, source))
            elif is_page or os.path.isdir(target):
                found.append((entry.path, source))  # refused when read
        elif entry.is_dir(follow_symlinks=False):
            _walk(entry.path, root, source + "/", (*ancestors, entry.path), found)
        elif is_page:
            found.append((entry.path, source))  # a FIFO or device too: refused when read


def read_page_bytes(path: Path | str, source: str) -> bytes:
    """The bytes of a page file, or a PageError: a symbolic link (find_pages yields one
    only when it refuses to follow it), anything but a regular file (a FIFO or a device
    would block or never end), or a file over MAX_PAGE_BYTES (files.read_regular)."""
    try:
        return files.read_regular(path, follow_links=False, limit=MAX_PAGE_BYTES)
    except files.NotRead as exc:
        raise PageError(source, 1, _refusal(exc, Path(path))) from None


def _refusal(exc: files.NotRead, path: Path) -> str:
    if exc.reason == "link":
        return _refused_link(path)
    if exc.reason == "size":
        return f"file over the page size limit ({MAX_PAGE_BYTES // (1024 * 1024)} MB): not read"
    if exc.reason == "type":
        return f"{exc.why}: not read"
    return f"cannot read: {exc.why}"


def _refused_link(path: Path) -> str:
    # (the target is never named: it may be a secret's path)
    target = os.path.realpath(path)
    if os.path.isdir(target) and _inside(os.path.realpath(path.parent), target):
        return "symbolic link to a folder that contains it (a loop): not followed"
    return "symbolic link leading outside the input folder (or nowhere): refused, not read"
