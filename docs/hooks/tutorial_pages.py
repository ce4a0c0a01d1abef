"""MkDocs hook: the learning-path pages are rendered from the runnable ``tutorials/NN_*.py``.

Each tutorial is one file in jupytext's percent format: a script the test suite runs, a
notebook a learner opens, and (through the mkdocs-jupyter plugin, which executes it at
build time) a page that shows its real printed output and figures. This hook

* adds every ``tutorials/NN_*.py`` of the repository to the site as ``tutorials/NN_*.py``,
  so a new tutorial needs only its nav line in ``mkdocs.yml``;
* runs the notebooks in a scratch folder (files they write never land in the repository)
  with matplotlib's inline backend (figures appear on the page);
* turns ``$...$`` and ``$$...$$`` into MathML at build time (no script from another host
  is loaded when the page is read) and drops the plugin's remote script tags;
* writes ``NN_*.ipynb`` next to each page and links it at the top of the page.
"""
from __future__ import annotations

import html
import os
import re
import tempfile
from pathlib import Path

import jupytext
from latex2mathml.converter import convert as latex_to_mathml
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = "tutorials"
PATTERN = "[0-9][0-9]_*.py"

_scratch: tempfile.TemporaryDirectory | None = None
_old_cwd: str | None = None

# A tag whose content must stay as written: code, preformatted output, scripts, styles.
_RAW = re.compile(r"(<(pre|code|script|style)\b.*?</\2>)", re.DOTALL | re.IGNORECASE)
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
# Inline math: a $ not followed by a space, content without $, a closing $ not after a space.
_INLINE = re.compile(r"(?<![\\$\w])\$(?=\S)([^$\n]+?)(?<=\S)\$(?![\w$])")
# A notebook's link to a sibling tutorial (``03_broadcasting.py``) is a link to its page.
_SIBLING_LINK = re.compile(r'href="([0-9][0-9]_[a-z0-9_]+)\.(?:py|md|ipynb)(#[^"]*)?"')
# nbconvert's page template loads MathJax and Mermaid from a CDN; these pages need neither.
_REMOTE_SCRIPT = re.compile(r"<script\b(?:(?!</script>).)*?(?:https?://|mathjax)"
                            r"(?:(?!</script>).)*?</script>", re.DOTALL | re.IGNORECASE)
_REMOTE_SRC = re.compile(r"<script\b[^>]*\bsrc=[\"']https?://|import\(\s*[\"']https?://",
                         re.IGNORECASE)


def is_tutorial(path: str) -> bool:
    """Whether a site file path is a learning-path notebook (``tutorials/NN_name.py``)."""
    p = Path(path)
    return p.parent.name == TUTORIALS and p.match(PATTERN)


def math_to_mathml(fragment: str) -> str:
    """Replace ``$$...$$`` (display) and ``$...$`` (inline) LaTeX in HTML text by MathML.

    Text inside ``<pre>``, ``<code>``, ``<script>`` and ``<style>`` is left alone, so printed
    output and code never lose a dollar sign.
    """
    def display(m: re.Match) -> str:
        return latex_to_mathml(html.unescape(m.group(1)).strip(), display="block")

    def inline(m: re.Match) -> str:
        return latex_to_mathml(html.unescape(m.group(1)))

    parts = _RAW.split(fragment)
    out = []
    i = 0
    while i < len(parts):
        text = parts[i]
        out.append(_INLINE.sub(inline, _DISPLAY.sub(display, text)))
        if i + 1 < len(parts):
            out.append(parts[i + 1])  # the raw tag, untouched
        i += 3  # split() also returns the tag-name group
    return "".join(out)


@event_priority(100)  # before mkdocs-jupyter wraps the files it renders
def on_files(files, config):
    """Add the repository's ``tutorials/NN_*.py`` to the site's files."""
    for path in sorted((ROOT / TUTORIALS).glob(PATTERN)):
        src = f"{TUTORIALS}/{path.name}"
        if files.get_file_from_path(src) is None:
            files.append(File(src, str(ROOT), config["site_dir"], config["use_directory_urls"]))
    return files


def on_pre_build(config):
    """Notebooks execute in a scratch folder, with figures drawn inline."""
    global _scratch, _old_cwd
    _scratch = tempfile.TemporaryDirectory(prefix="tinygrad_keras_docs_")
    _old_cwd = os.getcwd()
    os.chdir(_scratch.name)
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    root = str(ROOT)  # the kernels import this checkout even when it is not installed
    path = os.environ.get("PYTHONPATH", "")
    if root not in path.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (root, path) if p)


def on_page_content(content, page, config, files):
    """Rendered page: math to MathML, no remote scripts, a link to the page's notebook."""
    content = _REMOTE_SCRIPT.sub("", content)
    content = math_to_mathml(content)
    if is_tutorial(page.file.src_path):
        prefix = "../" if config["use_directory_urls"] else ""
        content = _SIBLING_LINK.sub(
            lambda m: f'href="{prefix}{m.group(1)}{"/" if prefix else ".html"}{m.group(2) or ""}"',
            content)
        name = Path(page.file.src_path).with_suffix(".ipynb").name
        link = (f'<p class="notebook-download"><a href="{name}" download>Download this page '
                f'as a Jupyter notebook</a> (or run <code>python tutorials/'
                f'{Path(page.file.src_path).name}</code> from the repository root).</p>')
        content = link + content
    return content


def on_post_page(output, page, config):
    """Fail the build if a page would load a script from another host when read."""
    m = _REMOTE_SRC.search(output)
    if m:
        raise ValueError(f"{page.file.src_path} loads a remote script: {output[m.start():m.start() + 120]}")
    return output


def on_post_build(config):
    """Write ``NN_name.ipynb`` beside each tutorial page; leave the scratch folder."""
    site = Path(config["site_dir"])
    for path in sorted((ROOT / TUTORIALS).glob(PATTERN)):
        url_dir = site / TUTORIALS / path.stem if config["use_directory_urls"] else site / TUTORIALS
        url_dir.mkdir(parents=True, exist_ok=True)
        jupytext.write(jupytext.read(path), url_dir / f"{path.stem}.ipynb")
    if _old_cwd is not None:
        os.chdir(_old_cwd)
    if _scratch is not None:
        _scratch.cleanup()
