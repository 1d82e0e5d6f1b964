"""The learner's working copy: lessons and exercises copied once into ``workspace/``.

Why: JupyterLab saves what it opens (outputs, autosave), so a course opened in place
changes the committed notebooks; the repository's own checks then fail and ``git pull``
meets local changes.  ``python3 course.py lab`` therefore opens a copy in ``workspace/``
(git ignores it), laid out like the repository so the lessons' relative links still work::

    workspace/
      00_contents.ipynb      차례 / contents: every chapter, linked (rewritten at each start)
      notebooks/ko/*.ipynb   lessons, Korean edition    (yours: copied once)
      notebooks/en/*.ipynb   lessons, English edition   (yours: copied once)
      exercises/*.ipynb      exercise sets               (yours: copied once)
      exam/                  the repository's exam/ (a link, or a copy refreshed at each start)
      backup/                copies replaced by ``course.py fresh``

A copy is never overwritten once you have changed it.  A copy you have not touched follows
the repository (after a ``git pull`` it is replaced by the new version); a copy you changed
is kept, and :func:`sync` says that a newer version exists.  ``python3 course.py fresh 05``
puts your chapter-05 copies into ``backup/`` and gives you fresh ones.

Standard library only: ``course.py`` runs it with any Python 3.10+, before ``.venv`` exists.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

FOLDER = "workspace"
CONTENTS = "00_contents.ipynb"
MANIFEST = ".copies.json"  # what was copied: repository path -> sha256 of the copy made
COPIED = ("notebooks/ko", "notebooks/en", "exercises")  # folders of notebooks, copied once
LINKED = ("exam",)  # read-only material the lessons link to

_TABLE_START, _TABLE_END = "<!-- chapters:start -->", "<!-- chapters:end -->"


@dataclass
class SyncReport:
    """What :func:`sync` did, by repository-relative path."""

    copied: list[str] = field(default_factory=list)  # new in the workspace
    updated: list[str] = field(default_factory=list)  # untouched copies brought up to date
    kept: list[str] = field(default_factory=list)  # yours, while the repository has a newer one

    def lines(self) -> list[str]:
        out = []
        if self.copied:
            out.append(f"workspace: {len(self.copied)} notebook(s) copied / 새로 복사함")
        if self.updated:
            out.append(f"workspace: {len(self.updated)} untouched copy(ies) updated / 갱신함: "
                       + ", ".join(Path(p).name for p in self.updated))
        if self.kept:
            chapters = " ".join(sorted({_chapter_of(p) for p in self.kept}))
            out.append("workspace: the repository has newer versions of copies you changed "
                       "(yours are kept) / 바꾼 사본은 그대로 둠: "
                       + ", ".join(Path(p).name for p in self.kept))
            out.append(f"  fresh copies / 새 사본: python3 course.py fresh {chapters}")
        return out


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _chapter_of(relpath: str) -> str:
    name = Path(relpath).name
    return name[2:4] if name.startswith("ex") else name[:2]


def sources(root: Path) -> list[str]:
    """The repository notebooks that belong in a workspace, as POSIX relative paths."""
    return [f"{folder}/{p.name}" for folder in COPIED
            for p in sorted((root / folder).glob("*.ipynb"))]


def _load_manifest(workspace: Path) -> dict[str, str]:
    path = workspace / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save_manifest(workspace: Path, manifest: dict[str, str]) -> None:
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    (workspace / MANIFEST).write_text(text, encoding="utf-8")


def _copy(root: Path, workspace: Path, rel: str, manifest: dict[str, str]) -> None:
    target = workspace / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / rel, target)
    manifest[rel] = _sha(target)


def sync(root: Path, workspace: Path | None = None) -> SyncReport:
    """Make or refresh ``workspace`` (default ``root/workspace``); never touch a changed copy.

    A notebook missing from the workspace is copied; a copy still identical to what was
    copied is replaced when the repository's version changed; any other copy is left alone.
    Also (re)writes the contents page and links or copies :data:`LINKED` folders.
    """
    root = Path(root)
    workspace = Path(workspace) if workspace else root / FOLDER
    workspace.mkdir(parents=True, exist_ok=True)
    manifest = _load_manifest(workspace)
    report = SyncReport()
    for rel in sources(root):
        target = workspace / rel
        if not target.exists():
            _copy(root, workspace, rel, manifest)
            report.copied.append(rel)
            continue
        repo, mine = _sha(root / rel), _sha(target)
        if manifest.get(rel) == repo:
            continue  # the repository has not changed since the copy was made
        if mine == repo:
            manifest[rel] = repo  # already the same (say, the manifest was lost)
        elif mine == manifest.get(rel):  # the repository changed, this copy never did
            _copy(root, workspace, rel, manifest)
            report.updated.append(rel)
        else:
            report.kept.append(rel)
    _save_manifest(workspace, manifest)
    for name in LINKED:
        _link_or_copy(root / name, workspace / name)
    write_contents(root, workspace)
    return report


def fresh(root: Path, chapters: list[str], workspace: Path | None = None) -> list[str]:
    """Give fresh copies of the given chapters ("05", "5" or "ex05"); move old ones to backup/.

    Returns the repository-relative paths copied.  Raises ValueError for an unknown chapter.
    """
    root = Path(root)
    workspace = Path(workspace) if workspace else root / FOLDER
    sync(root, workspace)  # the workspace exists and every notebook has a copy
    manifest = _load_manifest(workspace)
    backup = workspace / "backup" / time.strftime("%Y%m%d-%H%M%S")
    done: list[str] = []
    for chapter in chapters:
        number = chapter.removeprefix("ex").zfill(2)
        picked = [rel for rel in sources(root) if _chapter_of(rel) == number]
        if not picked:
            known = sorted({_chapter_of(rel) for rel in sources(root)})
            raise ValueError(f"chapter must be one of {known}, got {chapter!r}")
        for rel in picked:
            target = workspace / rel
            if target.exists() and _sha(target) != manifest.get(rel):
                (backup / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.move(target, backup / rel)
            _copy(root, workspace, rel, manifest)
            done.append(rel)
    _save_manifest(workspace, manifest)
    return done


def _link_or_copy(source: Path, target: Path) -> None:
    """A relative symbolic link to ``source``, or (where links are not allowed) a fresh copy."""
    if not source.is_dir() or target.is_symlink():
        return
    try:
        if not target.exists():
            os.symlink(os.path.relpath(source, target.parent), target,
                       target_is_directory=True)
            return
    except OSError:  # Windows without the privilege to make links
        pass
    shutil.copytree(source, target, dirs_exist_ok=True)


def chapter_table(root: Path) -> str:
    """The chapter table of the repository's README (its links fit the workspace layout)."""
    readme = (Path(root) / "README.md").read_text(encoding="utf-8")
    try:
        start, end = readme.index(_TABLE_START), readme.index(_TABLE_END)
    except ValueError:
        return ""
    return readme[start + len(_TABLE_START): end].strip()


def contents_notebook(root: Path) -> dict:
    """The workspace's front page: what the folder is, and every chapter linked."""
    intro = (
        "# 경사 하강법 / Gradient Descent · 차례 / Contents\n\n"
        "이 폴더(`workspace/`)는 여러분의 사본입니다. 마음껏 실행하고 저장하세요. "
        "저장소의 원본은 바뀌지 않고, `git pull` 도 막히지 않습니다. 한 장을 처음 상태로 "
        "되돌리려면 저장소 폴더에서 `python3 course.py fresh 05` 처럼 실행합니다 "
        "(이전 사본은 `backup/` 으로 옮겨집니다).\n\n"
        "This folder (`workspace/`) is your copy: run and save freely; the repository's own "
        "notebooks stay as committed and `git pull` stays clean. To start a chapter over, run "
        "`python3 course.py fresh 05` in the repository folder (your old copy moves to "
        "`backup/`).\n\n"
        "*이 쪽은 시작할 때마다 새로 쓰입니다 / this page is rewritten at every start.*"
    )
    cells = [{"cell_type": "markdown", "id": "contents-0", "metadata": {},
              "source": intro.splitlines(keepends=True)},
             {"cell_type": "markdown", "id": "contents-1", "metadata": {},
              "source": chapter_table(root).splitlines(keepends=True)}]
    return {"cells": cells, "metadata": {"kernelspec": {
        "display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5}


def write_contents(root: Path, workspace: Path) -> Path:
    path = Path(workspace) / CONTENTS
    text = json.dumps(contents_notebook(root), indent=1, ensure_ascii=False) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path
