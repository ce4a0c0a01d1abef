"""Docs are code: every ```python block in README.md and docs/**/*.md runs.

The blocks of one page run in order in one namespace, as a reader would type
them into one session.  A block that only includes a file with the snippets
syntax (``--8<--``) is skipped here.  The learning-path pages are not markdown:
they are rendered from ``tutorials/NN_*.py``, which ``test_tutorials.py`` runs.  A block whose first line is ``# not run`` is shown but
skipped (used for shell-like fragments that need a terminal or the network).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md"))
FENCE = re.compile(r"^(?P<indent>[ \t]*)```python[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                   re.DOTALL | re.MULTILINE)
SNIPPET = re.compile(r"^\s*-{1,2}8<-{1,2}\s")


def python_blocks(text: str) -> list[str]:
    """The runnable ```python blocks of a markdown page, in order, dedented."""
    out = []
    for m in FENCE.finditer(text):
        indent = len(m.group("indent"))
        lines = [line[indent:] for line in m.group("body").splitlines()]
        code_lines = [line for line in lines if line.strip()]
        if not code_lines or code_lines[0].strip().lower().startswith("# not run"):
            continue
        if all(SNIPPET.match(line) for line in code_lines):
            continue
        out.append("\n".join(lines) + "\n")
    return out


def test_fence_parser_finds_blocks_and_skips_snippets():
    page = ("text\n```python\nx = 1\n```\n\n```python\n--8<-- \"tutorials/a.py\"\n```\n"
            "```python\n# not run\nimport nothing\n```\n")
    assert python_blocks(page) == ["x = 1\n"]


CODE_PAGES = [p for p in PAGES if python_blocks(p.read_text(encoding="utf-8"))]


def test_readme_and_api_pages_have_code():
    names = {str(p.relative_to(ROOT)) for p in CODE_PAGES}
    assert {"README.md", "docs/index.md", "docs/api/models.md"} <= names, names


@pytest.mark.parametrize("page", CODE_PAGES, ids=[str(p.relative_to(ROOT)) for p in CODE_PAGES])
def test_page_code_runs(page: Path, tmp_path, monkeypatch):
    blocks = python_blocks(page.read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)  # pages may write files (plots, weights)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    np.random.seed(0)
    namespace: dict = {"__name__": "__docs__"}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"{page.name}[block {i}]", "exec"), namespace)  # noqa: S102 - docs are code
        except Exception as exc:  # name the page and block, then re-raise
            raise AssertionError(f"{page.relative_to(ROOT)} python block {i} failed:\n"
                                 f"{block}\n{type(exc).__name__}: {exc}") from exc


def test_ci_runs_the_readme_test_command():
    """.ci/run must run exactly the pytest command the README gives users."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"(python -m pytest[^\n`&|]*)", readme)
    assert m, "README has no 'python -m pytest' command"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert m.group(1).strip() in ci, f".ci/run does not run the README command {m.group(1)!r}"
    assert os.access(ROOT / ".ci" / "run", os.X_OK) or ci.startswith("#!"), ".ci/run not a script"


def test_readme_links_point_to_files():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    local = [link for link in links if "://" not in link]
    assert local, "README links to no docs page"
    missing = [link for link in local if not (ROOT / link).exists()]
    assert not missing, f"README links to missing files: {missing}"
