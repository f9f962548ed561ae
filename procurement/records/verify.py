"""Check an exported Vergabeakte offline: the manifest's hashes and the audit chain segment.

Nothing here touches the database: the archive is read as it is (``manifest.json`` and the files
it names, streamed), every file's SHA-256 and size are recomputed, files missing from the archive
or not named by the manifest are reported. The audit lines (``audit/eintraege.jsonl``) are
recomputed one by one with the audit log's own hash (``prev_hash`` + canonical entry), and
entries whose seq numbers are adjacent must link (the later one's ``prev_hash`` is the earlier
one's ``hash``). The segment is not contiguous (other procedures' entries sit between), so gaps
are expected; `flask audit verify` on the platform checks the whole chain.

The first discrepancy is named precisely: the file's path, or the entry's seq.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import IO, Any, Optional, Union

from procurement.records.akte import AUDIT_LINES, FORMAT, MANIFEST
from procurement.records.chain import line_hash

READ_CHUNK = 1024 * 1024
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_LINE_BYTES = 16 * 1024 * 1024
# what a manifest says about a file the export could not vouch for
FLAGGED = frozenset({"mismatch", "unreadable"})


class ArchiveError(Exception):
    """The file cannot be checked at all: not a ZIP, no (readable) manifest.

    ``str(err)`` is the English text of the CLI; ``code`` and ``params`` let a page say it in the
    reader's language (codes: not_zip, unreadable, no_manifest, manifest_too_large,
    manifest_unreadable, manifest_no_files, manifest_format).
    """

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Problem:
    """One discrepancy: ``kind`` is missing, extra, changed or entry; ``message`` the English text
    of the CLI. ``code`` and ``params`` name it for a page in the reader's language:

    - ``manifest_entry``: the manifest has a malformed file entry
    - ``file_missing`` / ``file_extra``: named but absent / present but not named
    - ``file_unreadable`` (error): the member cannot be read
    - ``file_changed`` (expected, actual, expected_size, actual_size): content differs
    - ``entry_malformed`` (error), ``entry_altered``, ``entry_out_of_order`` (previous),
      ``entry_unlinked`` (previous), ``entry_after_head``: an audit line (``seq``)
    - ``line_too_long`` / ``line_not_json`` / ``line_not_entry`` (line): a line of the audit file
    - ``entry_count`` (found, expected): the number of audit lines differs from the manifest
    """

    kind: str
    message: str
    path: Optional[str] = None
    seq: Optional[int] = None
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def describe(self) -> str:
        where = self.path or ""
        if self.seq is not None:
            where = f"{where} seq={self.seq}".strip()
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ArchiveReport:
    """What the check found; ``ok`` when the archive is exactly what was exported."""

    manifest: dict[str, Any]
    files_checked: int = 0
    entries_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    # files the export itself flagged (stored file did not match its record): shown, not hidden
    flagged: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Optional[Problem]:
        return self.problems[0] if self.problems else None

    @property
    def tender(self) -> dict[str, Any]:
        tender = self.manifest.get("tender")
        return tender if isinstance(tender, dict) else {}


def _hash_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(info) as source:
        while chunk := source.read(READ_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        info = archive.getinfo(MANIFEST)
    except KeyError as err:
        raise ArchiveError(
            "no_manifest", f"the archive has no {MANIFEST}: it is not an exported Vergabeakte"
        ) from err
    if info.file_size > MAX_MANIFEST_BYTES:
        raise ArchiveError(
            "manifest_too_large",
            f"{MANIFEST} is implausibly large ({info.file_size} bytes)",
            size=info.file_size,
        )
    try:
        with archive.open(info) as source:
            manifest = json.loads(source.read(MAX_MANIFEST_BYTES + 1).decode("utf-8"))
    except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, ValueError) as err:
        raise ArchiveError(
            "manifest_unreadable", f"{MANIFEST} cannot be read: {err}", error=str(err)
        ) from err
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise ArchiveError("manifest_no_files", f"{MANIFEST} has no list of files")
    if manifest.get("format") != FORMAT:
        raise ArchiveError(
            "manifest_format",
            f"{MANIFEST} has an unknown format {manifest.get('format')!r} (expected {FORMAT})",
            found=str(manifest.get("format")),
            expected=FORMAT,
        )
    return manifest


def _check_files(archive: zipfile.ZipFile, manifest: dict[str, Any], report: ArchiveReport) -> set[str]:
    """Recompute every named file; return the paths whose content differs from the manifest."""
    members = {info.filename: info for info in archive.infolist()}
    named: set[str] = set()
    changed: set[str] = set()
    for item in manifest["files"]:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            report.problems.append(
                Problem("changed", f"{MANIFEST} has a malformed file entry", MANIFEST, code="manifest_entry")
            )
            continue
        path = item["path"]
        named.add(path)
        if item.get("integrity") in FLAGGED:
            report.flagged.append(item)
        info = members.get(path)
        if info is None:
            report.problems.append(
                Problem(
                    "missing", "named in the manifest, missing from the archive", path, code="file_missing"
                )
            )
            continue
        try:
            size, sha256 = _hash_member(archive, info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
            report.problems.append(
                Problem(
                    "changed",
                    f"cannot be read, the archive was changed ({err})",
                    path,
                    code="file_unreadable",
                    params={"error": str(err)},
                )
            )
            changed.add(path)
            continue
        report.files_checked += 1
        if sha256 != item.get("sha256") or size != item.get("size"):
            detail = f"SHA-256 {sha256} instead of {item.get('sha256')}"
            if size != item.get("size"):
                detail += f", {size} bytes instead of {item.get('size')}"
            params = {
                "expected": item.get("sha256"),
                "actual": sha256,
                "expected_size": item.get("size"),
                "actual_size": size,
            }
            report.problems.append(
                Problem("changed", f"content changed: {detail}", path, code="file_changed", params=params)
            )
            changed.add(path)
    for path in members:
        if path != MANIFEST and path not in named:
            report.problems.append(
                Problem("extra", "in the archive but not named in the manifest", path, code="file_extra")
            )
    return changed


def _entry_problem(line: dict[str, Any], previous: Optional[dict[str, Any]]) -> Optional[Problem]:
    seq = line["seq"]
    try:
        recomputed = line_hash(line)
    except (KeyError, ValueError, TypeError) as err:
        return Problem(
            "entry", f"malformed entry ({err})", AUDIT_LINES, seq, "entry_malformed", {"error": str(err)}
        )
    if recomputed != line.get("hash"):
        return Problem(
            "entry", "content does not match its hash (entry altered)", AUDIT_LINES, seq, "entry_altered"
        )
    if previous is not None:
        before = {"previous": previous["seq"]}
        if seq <= previous["seq"]:
            message = f"out of order (after seq {previous['seq']})"
            return Problem("entry", message, AUDIT_LINES, seq, "entry_out_of_order", before)
        if seq == previous["seq"] + 1 and line["prev_hash"] != previous["hash"]:
            message = f"prev_hash does not match the hash of entry seq {previous['seq']}"
            return Problem("entry", message, AUDIT_LINES, seq, "entry_unlinked", before)
    return None


def _check_chain(archive: zipfile.ZipFile, report: ArchiveReport) -> Optional[Problem]:
    """Recompute the audit lines; return the first broken entry (or an unreadable file)."""
    try:
        info = archive.getinfo(AUDIT_LINES)
    except KeyError:
        return None  # reported as missing by the file check
    previous: Optional[dict[str, Any]] = None
    number = 0
    try:
        with archive.open(info) as source:
            while raw := source.readline(MAX_LINE_BYTES + 1):
                number += 1
                if len(raw) > MAX_LINE_BYTES:
                    return Problem(
                        "entry",
                        f"line {number} is implausibly long",
                        AUDIT_LINES,
                        code="line_too_long",
                        params={"line": number},
                    )
                try:
                    line = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    return Problem(
                        "entry",
                        f"line {number} is not a JSON object",
                        AUDIT_LINES,
                        code="line_not_json",
                        params={"line": number},
                    )
                if not isinstance(line, dict) or not isinstance(line.get("seq"), int):
                    return Problem(
                        "entry",
                        f"line {number} is not an audit entry",
                        AUDIT_LINES,
                        code="line_not_entry",
                        params={"line": number},
                    )
                broken = _entry_problem(line, previous)
                if broken is not None:
                    return broken
                report.entries_checked += 1
                previous = line
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
        return Problem(
            "changed",
            f"cannot be read, the archive was changed ({err})",
            AUDIT_LINES,
            code="file_unreadable",
            params={"error": str(err)},
        )
    head = report.manifest.get("chain_head")
    expected = report.manifest.get("audit_entries")
    if isinstance(expected, int) and expected != number:
        return Problem(
            "entry",
            f"{number} entries instead of {expected} named in the manifest",
            AUDIT_LINES,
            code="entry_count",
            params={"found": number, "expected": expected},
        )
    if isinstance(head, dict) and previous is not None and previous["seq"] > head.get("seq", previous["seq"]):
        return Problem(
            "entry",
            "an entry is newer than the chain head of the export",
            AUDIT_LINES,
            previous["seq"],
            code="entry_after_head",
        )
    return None


def verify_archive(source: Union[str, IO[bytes]]) -> ArchiveReport:
    """Check the archive at ``source`` (a path or a seekable binary file); raise ArchiveError if it
    cannot be checked at all."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as err:
        raise ArchiveError("not_zip", f"the file is not a ZIP archive ({err})", error=str(err)) from err
    except OSError as err:
        raise ArchiveError("unreadable", f"the file cannot be read ({err})", error=str(err)) from err
    with archive:
        report = ArchiveReport(_read_manifest(archive))
        _check_files(archive, report.manifest, report)
        broken = _check_chain(archive, report)
    if broken is not None:
        # the chain names the altered entry: more precise than "the file changed", in its place
        index = next(
            (i for i, p in enumerate(report.problems) if p.path == AUDIT_LINES and p.kind == "changed"),
            None,
        )
        if index is None:
            report.problems.append(broken)
        else:
            report.problems[index] = broken
    return report


def verify_archive_command(path: str) -> int:
    """``flask audit verify --archive FILE``: print the verdict; the exit code (0 intact, 1 not)."""
    import click

    try:
        report = verify_archive(path)
    except ArchiveError as err:
        click.echo(f"archive cannot be checked: {err}", err=True)
        return 1
    tender = report.tender
    click.echo(
        f"Vergabeakte of tender {tender.get('id')} ({tender.get('reference') or '-'}), "
        f"exported {report.manifest.get('created_at')}; chain head at export: "
        f"{(report.manifest.get('chain_head') or {}).get('hash', '-')}"
    )
    for item in report.flagged:
        click.echo(
            f"WARNING {item['path']}: flagged at export ({item.get('integrity')}): the stored file did "
            "not match its record",
            err=True,
        )
    if report.ok and not report.flagged:
        click.echo(
            f"archive intact: {report.files_checked} files and "
            f"{report.entries_checked} audit entries verified"
        )
        return 0
    if report.ok:
        click.echo(
            f"archive intact ({report.files_checked} files, {report.entries_checked} audit entries), "
            f"but {len(report.flagged)} file(s) were flagged at export",
            err=True,
        )
        return 1
    first = report.first
    assert first is not None
    click.echo(f"archive CHANGED: first discrepancy {first.describe()}", err=True)
    for problem in report.problems[1:]:
        click.echo(f"  also: {problem.describe()}", err=True)
    return 1
