"""The learning-path pages are rendered from ``tutorials/NN_*.py`` and cannot go stale.

Each tutorial is a jupytext percent-format file: the suite runs it as a script
(``test_tutorials.py``) and ``mkdocs build`` executes it as a notebook (mkdocs-jupyter,
``execute: true``, ``allow_errors: false``, no cache), so a page always shows the output of
the code as it is and an error fails the build. These tests check that wiring, cheaply,
without running the tutorials a third time.
"""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext", reason="the docs extra renders the tutorials")

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.py"))
MKDOCS = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def load_hook():
    path = ROOT / "docs" / "hooks" / "tutorial_pages.py"
    spec = importlib.util.spec_from_file_location("tutorial_pages", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_is_a_percent_notebook_with_a_title(path: Path):
    text = path.read_text(encoding="utf-8")
    assert "# %% [markdown]" in text, f"{path.name}: no markdown cell (jupytext percent format)"
    nb = jupytext.reads(text, fmt="py:percent")
    kinds = [cell.cell_type for cell in nb.cells]
    assert kinds.count("markdown") >= 2 and "code" in kinds, (path.name, kinds)
    first = next(c for c in nb.cells if c.cell_type == "markdown")
    assert re.match(r"# \S", first.source), \
        f"{path.name}: the first markdown cell must start with the page title ('# ...')"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "savefig(" not in code, f"{path.name}: draw figures with plt.show(), not into files"


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_is_in_the_nav(path: Path):
    assert f": tutorials/{path.name}" in MKDOCS, f"mkdocs.yml nav has no line for {path.name}"


def test_pages_are_executed_at_every_build():
    plugin = MKDOCS[MKDOCS.index("- mkdocs-jupyter:"):]
    plugin = plugin[:plugin.index("\n\n")]
    for setting in ("execute: true", "allow_errors: false", "cache: false"):
        assert setting in plugin, f"mkdocs-jupyter must have {setting!r}: pages would go stale"
    assert "docs/hooks/tutorial_pages.py" in MKDOCS


def test_no_page_duplicates_a_tutorial():
    stems = {p.stem for p in TUTORIALS}
    copies = [p.name for p in (ROOT / "docs").rglob("*.md") if p.stem in stems]
    assert not copies, f"tutorial text lives in tutorials/*.py only, found copies {copies}"


def test_math_becomes_mathml_outside_code():
    hook = load_hook()
    html = ("<p>$\\frac{\\partial L}{\\partial x} = g W^\\top$ and</p>"
            "<p>$$a &lt; b$$</p><pre>cost $5 and $6 $x$</pre><p>a $5 note</p>")
    out = hook.math_to_mathml(html)
    assert out.count("<math") == 2 and 'display="block"' in out
    assert "<pre>cost $5 and $6 $x$</pre>" in out and "a $5 note" in out
    assert "&lt;" not in out.split("<pre>")[0].split("</p>")[1].replace("<mo>&#x0003C;</mo>", "")


def test_remote_scripts_are_removed():
    hook = load_hook()
    page = ('<script src="https://cdn.example/mathjax.js"></script><p>x</p>'
            '<script type="module">const m = await import("https://cdn.example/m.mjs");</script>'
            "<script>var local = 1;</script>")
    out = hook._REMOTE_SCRIPT.sub("", page)
    assert out == "<p>x</p><script>var local = 1;</script>"
    assert hook._REMOTE_SRC.search(out) is None and hook._REMOTE_SRC.search(page)


def test_links_between_tutorials_are_file_names():
    """A link written ``(03_broadcasting.py)`` works in a clone, in Jupyter and on the site."""
    for path in TUTORIALS:
        for target in re.findall(r"\]\(([0-9][0-9]_[a-z0-9_]+\.[a-z]+)", path.read_text("utf-8")):
            assert (ROOT / "tutorials" / target).exists(), f"{path.name} links to missing {target}"


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_headings_have_no_math(path: Path):
    """The sidebar's table of contents shows headings as text: math there stays raw ``$``."""
    headings = re.findall(r"^# (#+ .*)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert not [h for h in headings if "$" in h], f"{path.name}: math in a heading"
