"""`generate` over many services: worker processes, streaming unit by unit, progress,
and errors listed at the end while the other services still go through."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED
from test_regenerate import PKG, clean_run, digest, make_input, regen

from codegen.cli import main
from codegen.pipeline import pages, progress, run, state as mf, unit, write

# Real pages of three services, so that units run side by side with two workers.
PAGES = {
    "kinesis/client/untag_resource.rst",
    "kinesis/client/list_streams.rst",
    "kinesis/paginator/ListStreams.rst",
    "sagemaker/client/delete_model.rst",
    "sagemaker/client/create_model_package.rst",
    "sagemaker/waiter/EndpointDeleted.rst",
    "dynamodb/client/get_item.rst",
    "dynamodb/client/put_item.rst",
}


def _all_files(root: Path) -> dict[str, str]:
    """Every file, the history (CHANGES.md, trees) included: it must not depend on --jobs."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_jobs_give_byte_identical_output(tmp_path: Path, reference: Path) -> None:
    inp = make_input(tmp_path / "in", reference, PAGES)
    outs = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        result = regen(inp, out, jobs=jobs)
        assert result.rendered == ["dynamodb", "kinesis", "sagemaker"] and not result.errors
        outs.append(_all_files(out))
    assert outs[0] == outs[1]
    # One big unit: its pages are parsed by all the workers instead.
    single = make_input(tmp_path / "one", reference, {p for p in PAGES if p.startswith("sagemaker/")})
    one = [_all_files(regen(single, tmp_path / f"single{jobs}", jobs=jobs).out) for jobs in (1, 2)]
    assert one[0] == one[1]


def test_workers_send_back_records_not_text(tmp_path: Path, reference: Path) -> None:
    """What crosses from a worker to the main process is small next to what it wrote,
    so the main process's memory does not grow with the size of the input."""
    inp = make_input(tmp_path / "in", reference, {p for p in PAGES if p.startswith("sagemaker/")})
    out = tmp_path / "out"
    listed = pages.Pages([inp])
    task = unit.UnitTask(
        name="sagemaker",
        pages=tuple((s, str(listed.paths[s]), listed.sha[s]) for s in sorted(listed.sha)),
        out=str(out),
        package=PKG,
        targets=("models", "validators", "stubs", "docs"),
        generator=mf.generator_hash(),
        cached_services=(),
    )
    result = unit.run_unit(task, unit.Previous.of(out, None))
    written = sum((out / rel).stat().st_size for group in result.files.values() for rel in group)
    assert result.log.written and written > 100_000
    assert len(pickle.dumps(result)) < written / 20


def test_bad_page_is_listed_and_the_rest_goes_through(tmp_path: Path, reference: Path) -> None:
    inp = make_input(tmp_path / "in", reference, PAGES)
    out = tmp_path / "out"
    regen(inp, out)
    kinesis_before = {rel: h for rel, h in digest(out).items() if "kinesis" in rel and ".codegen" not in rel}

    # A kinesis page breaks while a sagemaker page is removed: sagemaker is redone, the
    # broken page's last good version stands in for it (kinesis's files do not move),
    # and the error is listed at the end with the count.
    bad = inp / "kinesis/client/list_streams.rst"
    good = bad.read_text()
    bad.write_text(good.replace("response = client.list_streams(", "response = client.list_streams((", 1))
    (inp / "sagemaker/client/delete_model.rst").unlink()
    args = ["generate", str(inp), "--out", str(out), "--package-name", PKG, "-j", "2"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1, res.output
    lines = res.output.strip().splitlines()
    assert lines[-1].startswith("1 error(s)") and "Traceback" not in res.output
    error = lines[-2]
    assert error.startswith("error: kinesis/client/list_streams.rst:") and error.split(":")[2].isdigit(), lines
    assert not (out / "docs/sagemaker/delete_model.md").exists()
    kinesis_now = {rel: h for rel, h in digest(out).items() if "kinesis" in rel and ".codegen" not in rel}
    assert kinesis_now == kinesis_before
    record = mf.load(out).pages["kinesis/client/list_streams.rst"]  # type: ignore[union-attr]
    assert f"error: {record.error}" == error and record.service == "kinesis"

    # Nothing changed: nothing is redone, and the error is still reported.
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1 and again.output.strip().splitlines()[-2:] == lines[-2:]
    assert regen(inp, out).rendered == []

    # Fixed: kinesis is redone and the output is the clean run's.
    bad.write_text(good)
    result = regen(inp, out)
    assert result.rendered == ["kinesis"] and not result.errors
    assert digest(out) == clean_run(tmp_path, reference, PAGES - {"sagemaker/client/delete_model.rst"})


def test_bad_page_without_earlier_version_is_left_out(tmp_path: Path, reference: Path) -> None:
    inp = make_input(tmp_path / "in", reference, PAGES)
    bad = inp / "kinesis/client/list_streams.rst"
    bad.write_text(bad.read_text().replace("response = client.list_streams(", "response = client.list_streams((", 1))
    out = tmp_path / "out"
    result = regen(inp, out)
    assert [e.split(":")[0] for e in result.errors] == ["kinesis/client/list_streams.rst"]
    assert result.services == ["dynamodb", "kinesis", "sagemaker"]
    assert (out / "docs/kinesis/untag_resource.md").is_file()
    assert not (out / "docs/kinesis/list_streams.md").exists()


def test_progress_lines_count_every_page(tmp_path: Path, reference: Path) -> None:
    inp = make_input(tmp_path / "in", reference, PAGES)
    stream = io.StringIO()
    regen(inp, tmp_path / "out", jobs=2, progress=progress.Lines(stream=stream, every=0))
    lines = stream.getvalue().splitlines()
    counts = [int(line.split()[1].split("/")[0]) for line in lines]
    assert counts == sorted(counts) and counts[-1] == len(PAGES)
    assert all(line.startswith("generate: ") and "pages/s" in line for line in lines)
    assert f"{len(PAGES)}/{len(PAGES)} pages (100%)" in lines[-1]
    assert any("ETA" in line for line in lines[:-1])
    # A no-op run has nothing to do: no page counted.
    stream = io.StringIO()
    regen(inp, tmp_path / "out", progress=progress.Lines(stream=stream, every=0))
    assert stream.getvalue() == ""


def test_progress_bar_redraws_one_line() -> None:
    stream = io.StringIO()
    bar = progress.Bar(stream=stream)
    bar.start(4)
    for name in ("kinesis", "kinesis", "sagemaker", "sagemaker"):
        bar._last = 0.0  # redraw every time
        bar.advance(1, name)
    bar.finish()
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    frames = text.split("\r\x1b[2K")[1:]
    assert frames[0].startswith("[") and "1/4 pages (25%)" in frames[0] and "kinesis" in frames[0]
    assert "sagemaker" in frames[2] and "4/4 pages (100%)" in frames[-1]


def test_cli_quiet_prints_only_the_result(tmp_path: Path, reference: Path) -> None:
    inp = make_input(tmp_path / "in", reference, PAGES)
    res = CliRunner().invoke(main, ["generate", str(inp), "--out", str(tmp_path / "o"), "--quiet", "-j", "1"])
    assert res.exit_code == 0, res.output
    assert res.output.strip().splitlines() == [
        f"{tmp_path / 'o'}: {len(mf.load(tmp_path / 'o').tracked())} files "  # type: ignore[union-attr]
        f"({len(mf.load(tmp_path / 'o').tracked())} written, 0 removed, 0 merged) for dynamodb, kinesis, sagemaker"  # type: ignore[union-attr]
    ]
    shutil.rmtree(tmp_path / "o")


def test_one_page_change_parses_one_page_with_jobs(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one unit and several workers, cached pages are not handed to the workers."""
    inp = make_input(tmp_path / "in", reference, {p for p in PAGES if p.startswith("sagemaker/")})
    out = tmp_path / "out"
    regen(inp, out, jobs=2)
    page = inp / "sagemaker/client/create_model_package.rst"
    page.write_bytes(SEED.read_bytes())  # the same page, from the older release
    log = tmp_path / "parsed"  # (a file: the page is parsed by a forked copy, run.py)
    real = unit.parse_files

    def counting(pages: Sequence[tuple[str, str]]) -> list[tuple[str, unit.Parsed]]:
        with log.open("a") as f:
            f.writelines(f"{os.getpid()} {source}\n" for source, _ in pages)
        return real(pages)

    monkeypatch.setattr(unit, "parse_files", counting)
    result = regen(inp, out, jobs=2)
    [(pid, source)] = [line.split() for line in log.read_text().splitlines()]
    assert source == "sagemaker/client/create_model_package.rst" and int(pid) != os.getpid()
    assert result.rendered == ["sagemaker"] and f"{PKG}/sagemaker/models.py" in result.written


def test_cold_run_pages_are_hashed_by_the_workers(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into a fresh output folder the main process only lists the pages; the hashes the
    workers record are those of the bytes, so the next run has nothing to redo."""
    inp = make_input(tmp_path / "in", reference, PAGES)
    out = tmp_path / "out"
    hashed: list[int] = []
    real = write.sha256

    def counting(data: bytes | str) -> str:
        hashed.append(1)
        return real(data)

    monkeypatch.setattr(write, "sha256", counting)
    listed = pages.Pages([inp], hashed=False)
    assert not hashed and set(listed.sha.values()) == {""}
    assert listed.size == {s: Path(p).stat().st_size for s, p in listed.paths.items()}
    monkeypatch.undo()
    regen(inp, out, jobs=2)
    recorded = mf.load(out)
    assert recorded is not None
    assert {s: rec.sha for s, rec in recorded.pages.items()} == {
        s: hashlib.sha256((inp / s).read_bytes()).hexdigest()[:32] for s in PAGES  # (128 bits: format 3)
    }
    again = regen(inp, out, jobs=2)
    assert again.rendered == [] and again.written == []


def test_in_process_run_leaves_nothing_frozen(tmp_path: Path, reference: Path) -> None:
    """Units freeze what survives them (later collections skip it); a process that goes
    on afterwards (`watch`, `--jobs 1`) gets it back to the collector."""
    import gc

    inp = make_input(tmp_path / "in", reference, PAGES)
    regen(inp, tmp_path / "out", jobs=1)
    assert gc.get_freeze_count() == 0


def test_a_unit_collects_each_pages_cycles_after_the_page(tmp_path: Path, reference: Path) -> None:
    """docutils leaves thousands of cycles a page (state machines: bound methods of
    their states); a unit collects them after each page, while they are fresh, so that
    its final collection, which walks them from memory, finds few. What it still finds:
    the page docutils' own cache of nested state machines holds until the next page."""
    import gc

    collected = {0: 0, 1: 0, 2: 0}

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            collected[info["generation"]] += info["collected"]

    shutil.copytree(reference / "lambda", tmp_path / "in" / "lambda")
    gc.collect()
    gc.callbacks.append(record)
    try:
        regen(tmp_path / "in", tmp_path / "out", jobs=1)
    finally:
        gc.callbacks.remove(record)
    # (lambda: 137,000 against 11,000; without the unlink of each page's state machine
    # (rst/driver.py): 106,000 against 41,000; with a parser shared by the pages, which
    # keeps the last one's document and machine: 81,000 against 60,000; no collection
    # after each page: 87 against 162,000)
    assert collected[0] > 4 * collected[2] > 0, collected


def test_the_main_process_collects_only_in_its_units(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a run builds outside its units (the manifests: 112,000 files for the whole
    reference; the pages' list) lives to the end and holds no cycles: the collector
    is off there (each full collection its growth set off walked it in vain). Units run
    in the main process with it on, that state frozen; afterwards it is as before."""
    import gc

    seen: dict[str, list[tuple[bool, int]]] = {}

    def spy(module: object, name: str) -> None:
        real = getattr(module, name)

        def recording(*args: object, **kwargs: object) -> object:
            seen.setdefault(name, []).append((gc.isenabled(), gc.get_freeze_count()))
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, recording)

    for module, name in ((mf, "load"), (mf, "packed"), (unit, "run_unit")):
        spy(module, name)
    inp = make_input(tmp_path / "in", reference, PAGES)
    out = tmp_path / "out"
    regen(inp, out, jobs=1)  # three units, one after the other, here
    page = inp / "kinesis/client/list_streams.rst"
    page.write_bytes(page.read_bytes() + b"\n")
    regen(inp, out, jobs=2)  # one unit, here (its rendering split)
    assert len(seen["load"]) == 2 and len(seen["packed"]) == 2 and len(seen["run_unit"]) == 4
    assert not any(enabled for enabled, _ in seen["load"] + seen["packed"])
    assert all(enabled and frozen > 0 for enabled, frozen in seen["run_unit"])
    assert gc.isenabled() and gc.get_freeze_count() == 0
