"""Everything codegen writes goes through here, atomically (codegen/pipeline/update.py
brings each generated file up to date through it: write, merge hand edits, or report).

Used by the workers of `generate` (each writes its own service's files) and by the main
process (package-level files, removals). Every write goes through a temporary file and
os.replace (atomic_write), and keeps the permission bits of the file it replaces.

Whether the file on disk is what the generator wrote last time is decided by its hash
against the manifest record, so only Python modules need their pristine text (merge
base) kept, packed per service folder in `.codegen/pristine/`: they are the only files
merged member by member (codegen/pipeline/merge.py); any other file is merged as a
whole, which the hashes alone decide.

"""

from __future__ import annotations

import hashlib
import itertools
import json
import lzma
import os
import signal
import stat
import tempfile
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from codegen import files

STATE_DIR = ".codegen"
BACKUP_SUFFIX = ".orig"
BOM = "\ufeff"


def is_python(path: str) -> bool:
    return path.endswith((".py", ".pyi"))


def sha256(data: bytes | str) -> str:
    """The first 128 bits of the SHA-256, in hex: what tells a page or a file from its
    last version (the manifest keeps 138,000 of them for the whole reference)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:32]



def state_dir(out: Path) -> Path:
    """`<out>/.codegen/`: what the output keeps for the next run (codegen/pipeline/state.py)."""
    return out / STATE_DIR


def read_state(path: Path) -> bytes:
    """The bytes of a file the output keeps for itself (`.codegen/*`, the listing). The
    output may come from a pull request: anything but a regular file there (a FIFO would
    block the read for ever, a device never end, a link leads elsewhere) is an OSError,
    which every caller takes as a missing or unreadable file."""
    try:
        return files.read_regular(path, follow_links=False)
    except files.NotRead as exc:
        if exc.error is not None:
            raise exc.error from None
        raise OSError(f"{path}: not a regular file") from None


# --- the atomic writer ------------------------------------------------------------------


_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_temp_names = itertools.count()


def _open_temp(path: Path) -> tuple[int, str]:
    """A new temp file beside `path`: `.<name>.<pid>-<n>.tmp` (what outscan.remove_stale_temps
    looks for), made without mkstemp's random names or a mkdir per file: a cold run
    writes tens of thousands of files into a few hundred folders."""
    tmp = f"{path.parent}/.{path.name}.{os.getpid()}-{next(_temp_names)}.tmp"
    try:
        return os.open(tmp, _TEMP_FLAGS, 0o644), tmp
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a killed run's leftover with the same pid
        pass
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")


NEW_FILE_MODE = 0o644


def file_mode(path: Path) -> int:
    """The permission bits a rewrite of `path` keeps (a user's chmod 600 or +x);
    NEW_FILE_MODE for a new file, whatever the umask."""
    try:
        st = os.lstat(path)
    except OSError:
        return NEW_FILE_MODE
    return stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else NEW_FILE_MODE


def atomic_write(path: Path, data: bytes, durable: bool = False, mode: int | None = None) -> None:
    """Temp file in the same folder, then rename: readers (and a run killed at any point)
    see the old or the new file. `durable` also fsyncs (the manifest: written last).
    The new file has `mode`, by default the permission bits of the file it replaces."""
    fd, tmp = _open_temp(path)
    try:
        try:
            # (os.write on the descriptor: a file object per file, for one write, cost a
            # tenth of a cold run's writing)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if durable:
                os.fsync(fd)
            os.fchmod(fd, file_mode(path) if mode is None else mode)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait for the end of the block: CHANGES.md, the trees it was
    computed from and the manifest go together (a run stopped between them would write
    the changelog's sections again)."""
    # Not a signal mask: it holds the calling thread only, and the kernel hands a signal
    # to any thread that does not block it (a listener, a pool's), whose Python handler
    # then runs in the main thread at once. Handlers that note the signal hold it in
    # every case; it is raised again, to the handler it was meant for, at the end.
    caught: list[int] = []
    try:
        previous = {sig: signal.signal(sig, lambda signum, frame: caught.append(signum))
                    for sig in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread (an embedding caller): its signals, its handlers
        yield
        return
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)


def check_writable(out: Path) -> None:
    """OSError (one line) unless files can be made in `out` or, missing, where it would be made."""
    target = out
    while not target.exists():
        if target.parent == target:
            break
        target = target.parent
    if not target.is_dir():
        raise NotADirectoryError(f"{out}: not a directory")
    # The kernel's answer first (permissions, ACLs, a read-only mount, chattr +i): a
    # probe file would change the folder's mtime at every run, and every run would read
    # the output's top folder again (outscan.Listings). The probe, when the answer is no,
    # says why, or finds that it can write after all.
    if os.access(target, os.W_OK | os.X_OK, effective_ids=os.access in os.supports_effective_ids):
        return
    fd, probe = tempfile.mkstemp(dir=target, prefix=".codegen-probe-")
    os.close(fd)
    os.unlink(probe)


def write_tree(out: Path, texts: Mapping[str, str]) -> list[str]:
    """Write each file of `texts` (relative path → text) that differs on disk; the
    written ones. Without a manifest: for a package rendered at once (the tests)."""
    written = []
    for rel, text in texts.items():
        path = out / rel
        data = text.encode("utf-8")
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            pass
        atomic_write(path, data)
        written.append(rel)
    return written


# --- merge bases: one pack per service folder ------------------------------------------


PRISTINE_DIR = "pristine"
_PACK_SUFFIX = ".xz"
# LZMA2 with a dictionary that holds a whole service's modules: they repeat each other
# (13x smaller than the text, against 5x for zlib file by file, at 0.02 s of CPU a MB).
# Preset 2: preset 3 took 30% longer for 5% fewer bytes (whole reference: 27.3 MB of
# packs at 3, 28.7 at 2, 32.1 at 1); presets above 3 cost several times the CPU. The
# dictionary is no bigger than the data needs (a power of two, at most 16 MB): the match
# finder's tables grow with it, and setting up 16 MB of them for a 100 kB tree cost more
# than packing it.
# A pack of 4 MB or more (7 services: ec2, sagemaker, ...) at preset 1: 40% less CPU
# for 14% more bytes (sagemaker's 10.5 MB: 0.52 s against 0.88, 0.98 MB against 0.86;
# the whole reference's packs: +0.55 MB). A one-page change to such a service packs it
# again while the run finishes, and waited for it.
_PRESET, _MIN_DICT, _MAX_DICT = 2, 1 << 16, 16 << 20
_LARGE, _PRESET_LARGE = 4 << 20, 1
PACK_LIMIT = 1 << 30  # bytes a pack may unpack to (the output may come from a pull request)
_pending: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}  # (out, group) → module → (sha, text): not packed yet
_loaded: dict[str, tuple[tuple[int, int, int], dict[str, tuple[str, int, int]], bytes]] = {}
# Packs being written by a thread: (out, what it packs, the thread, its error).
_flushing: list[tuple[str, dict[tuple[str, str], dict[str, tuple[str, str]]], threading.Thread, list[BaseException]]] = []


def pristine_dir(out: Path) -> Path:
    return state_dir(out) / PRISTINE_DIR


def pack_group(rel: str) -> str:
    """The pack a module's merge base is kept in: its folder, two levels down at most
    (`<package>/<service>`: the modules one unit renders, and writes together)."""
    return "/".join(rel.split("/")[:-1][:2])


def pack_name(group: str, entries: Iterable[tuple[str, str]]) -> str:
    """`<group>-<hash of its (module, base sha) pairs>.xz`: the name says what is in it,
    so a run writes new packs beside the ones the old manifest refers to, and a run
    killed at any point leaves the old manifest with its packs."""
    safe = "".join(c if c.isalnum() or c in "_." else "_" for c in group.replace("/", ".")) or "_"
    return f"{safe}-{sha256(chr(0).join(f'{rel}{chr(0)}{sha}' for rel, sha in sorted(entries)))[:16]}{_PACK_SUFFIX}"


def _write_pack(out: Path, name: str, texts: Mapping[str, str]) -> None:
    """The pack: xz of a JSON index line ([module, bytes], sorted) and the texts after
    it, in that order; deterministic (no times, one thread). (No hashes in it: they are
    the manifest's, and random digits are what compresses least.)"""
    data = [(rel, texts[rel].encode("utf-8")) for rel in sorted(texts)]
    index = json.dumps([[rel, len(b)] for rel, b in data], separators=(",", ":"))
    payload = b"".join([index.encode("utf-8"), b"\n", *(b for _, b in data)])
    atomic_write(pristine_dir(out) / name, xz(payload))


def xz(data: bytes) -> bytes:
    """The state's compression (packs, trees): deterministic (no times, one thread)."""
    size = _MIN_DICT
    while size < len(data) and size < _MAX_DICT:
        size <<= 1
    lzma2 = {"id": lzma.FILTER_LZMA2, "preset": _PRESET_LARGE if len(data) >= _LARGE else _PRESET, "dict_size": size}
    return lzma.compress(data, format=lzma.FORMAT_XZ, filters=[lzma2])


def _load_pack(path: Path) -> tuple[dict[str, tuple[str, int, int]], bytes]:
    """(sha → (module, offset, length), the unpacked bytes) of a pack; empty when it
    cannot be used. The last few are kept (by inode, size and mtime)."""
    try:
        st = os.lstat(path)
        key = (st.st_ino, st.st_size, st.st_mtime_ns)
        hit = _loaded.get(str(path))
        if hit is not None and hit[0] == key:
            return hit[1], hit[2]
        unpacker = lzma.LZMADecompressor()
        raw = unpacker.decompress(read_state(path), max_length=PACK_LIMIT)
        if not unpacker.eof:
            return {}, b""
        head, _, body = raw.partition(b"\n")
        index: dict[str, tuple[str, int, int]] = {}
        offset = 0
        for rel, size in json.loads(head):
            index[sha256(body[offset : offset + int(size)])] = (str(rel), offset, int(size))
            offset += int(size)
    except (OSError, lzma.LZMAError, ValueError, TypeError):
        return {}, b""
    while len(_loaded) >= 4:
        del _loaded[next(iter(_loaded))]
    _loaded[str(path)] = (key, index, body)
    return index, body


def _packs(out: Path, group: str | None) -> list[Path]:
    """The packs of `group` (None: all) in `.codegen/pristine/`, sorted."""
    try:
        names = sorted(os.listdir(pristine_dir(out)))
    except OSError:
        return []
    prefix = None if group is None else pack_name(group, ()).rsplit("-", 1)[0] + "-"
    return [pristine_dir(out) / n for n in names
            if n.endswith(_PACK_SUFFIX) and (prefix is None or n.startswith(prefix))]


def _from_pack(path: Path, sha: str) -> str | None:
    index, body = _load_pack(path)
    found = index.get(sha)
    if found is None:
        return None
    _, offset, size = found
    try:
        text = body[offset : offset + size].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if sha256(text) == sha else None


def put_pristine(out: Path, rel: str, text: str) -> str:
    """Keep `text` as the merge base of module `rel`; it is packed by flush_pristine."""
    sha = sha256(text)
    _pending.setdefault((str(out), pack_group(rel)), {})[rel] = (sha, text)
    return sha


def keep_pristine(out: Path, rel: str, sha: str) -> None:
    """A module left alone (a conflict) keeps its old base, which goes into the new pack."""
    text = get_pristine(out, sha, rel) if sha else None
    entries = _pending.setdefault((str(out), pack_group(rel)), {})
    if text is None:
        entries.pop(rel, None)
    else:
        entries[rel] = (sha, text)


def pristine_texts(out: Path, wanted: Mapping[str, str]) -> dict[str, str]:
    """The merge bases of `wanted` (module → sha) that the packs of their folders hold:
    module → text. (get_pristine, many at a time: each folder's packs listed once.)"""
    by_group: dict[str, list[str]] = {}
    for rel in sorted(wanted):
        by_group.setdefault(pack_group(rel), []).append(rel)
    found: dict[str, str] = {}
    for group, rels in by_group.items():
        packs = _packs(out, group)
        for rel in rels:
            for path in packs:
                if (text := _from_pack(path, wanted[rel])) is not None:
                    found[rel] = text
                    break
    return found


def get_pristine(out: Path, sha: str, rel: str | None = None) -> str | None:
    """The base text whose hash is `sha`: kept in this run, in the pack of `rel`'s folder,
    in a loose blob (`pristine/<ab>/<sha>`: the layout of format 1), or (no `rel`, or a
    module that moved: --rename-package) in any pack."""
    in_flight = [taken for where, taken, _, _ in _flushing if where == str(out)]
    for groups in (_pending, *in_flight):
        for (where, _), entries in groups.items():
            if where == str(out):
                for kept, text in entries.values():
                    if kept == sha:
                        return text
    for path in _packs(out, pack_group(rel)) if rel is not None else []:
        if (found := _from_pack(path, sha)) is not None:
            return found
    try:
        # (format 1 named a blob by its whole SHA-256, of which the manifest keeps a prefix)
        name = next((n for n in sorted(os.listdir(pristine_dir(out) / sha[:2])) if n.startswith(sha)), sha)
        loose = zlib.decompress(read_state(pristine_dir(out) / sha[:2] / name)).decode("utf-8")
        if sha256(loose) == sha:
            return loose
    except (OSError, zlib.error, UnicodeDecodeError):
        pass
    for path in _packs(out, None):
        if (found := _from_pack(path, sha)) is not None:
            return found
    return None


def flush_pristine(out: Path, background: bool = False) -> None:
    """Pack the bases this process kept for `out`, a pack per folder (a unit's worker,
    at its end: its services' folders are whole). `background`: in a thread (xz lets go
    of the GIL: a one-page change packs sagemaker's 10 MB, about 1 s, while the main
    thread goes on), which every later flush, sync_pristine and wait_pristine wait for."""
    taken = {key: _pending.pop(key) for key in [k for k in _pending if k[0] == str(out)]}
    if not background:
        wait_pristine(out)
        _write_packs(out, taken)
        return
    failed: list[BaseException] = []

    def work() -> None:
        try:
            _write_packs(out, taken)
        except BaseException as exc:  # (raised again in the main thread, by wait_pristine)
            failed.append(exc)

    thread = threading.Thread(target=work, name="codegen-pack", daemon=True)
    _flushing.append((str(out), taken, thread, failed))
    thread.start()


def wait_pristine(out: Path) -> None:
    """Wait for the packs being written in the background for `out`; their error, if any."""
    for item in [f for f in _flushing if f[0] == str(out)]:
        item[2].join()
        _flushing.remove(item)
        if item[3]:
            raise item[3][0]


def _write_packs(out: Path, taken: Mapping[tuple[str, str], Mapping[str, tuple[str, str]]]) -> None:
    for (_, group), entries in taken.items():
        name = pack_name(group, ((rel, sha) for rel, (sha, _) in entries.items()))
        if not os.path.lexists(pristine_dir(out) / name):
            _write_pack(out, name, {rel: text for rel, (_, text) in entries.items()})


def sync_pristine(out: Path, bases: Mapping[str, str]) -> set[str]:
    """Make sure a pack holds each module's base of `bases` (module → sha, as the new
    manifest records them), before the manifest is saved; the names of those packs.
    A folder whose pack the units did not write (package-level modules, bases kept for
    removed files, moved modules) gets one from what is kept in this run and in the packs."""
    groups: dict[str, dict[str, str]] = {}
    for rel, sha in bases.items():
        if is_python(rel) and sha:
            groups.setdefault(pack_group(rel), {})[rel] = sha
    names = {group: pack_name(group, entries.items()) for group, entries in groups.items()}
    flush_pristine(out)  # (the packs' names worked out while the last ones are still written)
    wanted = set()
    for group, entries in sorted(groups.items()):
        name = names[group]
        wanted.add(name)
        if os.path.isfile(pristine_dir(out) / name) and not os.path.islink(pristine_dir(out) / name):
            continue
        texts = {rel: text for rel, sha in entries.items() if (text := get_pristine(out, sha, rel)) is not None}
        _write_pack(out, name, texts)
    return wanted


def gc_pristine(out: Path, keep: Iterable[str]) -> None:
    """Remove the packs the manifest does not refer to (an earlier run's, a killed
    run's), and the loose blobs of format 1."""
    wanted = set(keep)
    root = pristine_dir(out)
    if root.is_symlink() or not root.is_dir():
        return
    for entry in root.iterdir():
        if entry.is_symlink() or not entry.is_dir():
            if entry.name not in wanted:
                entry.unlink(missing_ok=True)
            continue
        for blob in entry.iterdir():
            if blob.is_symlink() or blob.is_file():
                blob.unlink(missing_ok=True)
        if not any(entry.iterdir()):
            entry.rmdir()


# --- generated files ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OnDisk:
    """A generated file's path as found on disk.

    `text`: its content as text (newlines as Python's text mode reads them); None when
    missing or when `problem` says why it cannot be used. `data`: its bytes, when read.
    """

    exists: bool
    text: str | None = None
    data: bytes | None = None
    problem: str = ""  # e.g. "is a symlink", "is not UTF-8 (...)": never touch the file


def read_disk(path: Path) -> OnDisk:
    """What is at `path`: missing, a readable UTF-8 file, or something to leave alone."""
    try:
        data = files.read_regular(path, follow_links=False)
    except files.NotRead as exc:
        if exc.reason == "link":
            return OnDisk(True, problem=f"is a symlink (to {os.readlink(path)!r})")
        if exc.reason != "os":
            return OnDisk(True, problem="is not a regular file")
        if not exc.before_open:
            return OnDisk(True, problem=f"cannot be read: {exc.why}")
        if isinstance(exc.error, FileNotFoundError):
            return OnDisk(False)
        return OnDisk(True, problem=f"cannot be looked at: {exc.why}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return OnDisk(True, data=data, problem=f"is not UTF-8 (byte {data[exc.start]:#04x} on line {line})")
    # Universal newlines, as Path.read_text: CRLF alone is no hand edit.
    return OnDisk(True, text=text.replace("\r\n", "\n").replace("\r", "\n"), data=data)


def remove_empty_dirs(out: Path, removed: Sequence[str]) -> None:
    for rel in removed:
        parent = (out / rel).parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
