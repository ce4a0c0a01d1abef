"""The hand-written API pages cover what the modules export, and name only what exists."""
from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "docs" / "api"

# page -> (module, which public names must be mentioned)
PAGES = {
    "models.md": ("tinygrad_keras.models", ["Sequential", "Model", "model_from_config",
                                            "model_from_json", "model_from_yaml", "load_model",
                                            "save_model"]),
    "optimizers.md": ("tinygrad_keras.optimizers", "classes"),
    "callbacks.md": ("tinygrad_keras.callbacks", "classes"),
    "layers.md": ("tinygrad_keras.layers", "classes"),
    "losses.md": ("tinygrad_keras.objectives", ["mean_squared_error", "mean_absolute_error",
                  "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
                  "squared_hinge", "hinge", "binary_crossentropy", "categorical_crossentropy",
                  "sparse_categorical_crossentropy", "kullback_leibler_divergence", "poisson",
                  "cosine_proximity"]),
    "metrics.md": ("tinygrad_keras.metrics", ["binary_accuracy", "categorical_accuracy",
                   "sparse_categorical_accuracy", "top_k_categorical_accuracy", "precision",
                   "recall", "fbeta_score", "fmeasure", "matthews_correlation"]),
}


def public_classes(module) -> list[str]:
    return [n for n, o in vars(module).items()
            if inspect.isclass(o) and not n.startswith("_") and o.__module__.startswith(
                "tinygrad_keras") and n not in ("Tensor", "Function")]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_mentions_every_export(page):
    module_name, wanted = PAGES[page]
    module = importlib.import_module(module_name)
    names = public_classes(module) if wanted == "classes" else wanted
    text = (API / page).read_text(encoding="utf-8")
    missing = [n for n in names if not re.search(rf"[`' .]{n}\b", text)]
    assert not missing, f"docs/api/{page} does not mention {missing}"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_documented_signatures_exist(page):
    """Every `Name(arg=default, ...)` on the page names a real callable of the module, and
    each keyword it shows is a real parameter with that default."""
    module_name, _ = PAGES[page]
    module = importlib.import_module(module_name)
    text = (API / page).read_text(encoding="utf-8")
    for name, args in re.findall(r"`([A-Z]\w+)\(([^`]*)\)`", text):
        obj = getattr(module, name, None)
        assert obj is not None, f"docs/api/{page}: {name} is not in {module_name}"
        params = inspect.signature(obj).parameters
        call = ast.parse(f"f({re.sub(r',? *[.][.][.]', '', args)})", mode="eval").body
        for arg in call.args:
            assert isinstance(arg, ast.Name) and arg.id in params, \
                f"docs/api/{page}: {name} has no argument {ast.unparse(arg)!r}"
        for kw in (k for k in call.keywords if k.arg is not None):  # skip **kwargs
            assert kw.arg in params, f"docs/api/{page}: {name} has no argument {kw.arg!r}"
            real, shown = params[kw.arg].default, ast.literal_eval(kw.value)
            assert real == shown, \
                f"docs/api/{page}: {name}({kw.arg}=...) default is {real!r}, page says {shown!r}"


def test_generated_sections_name_real_objects():
    """Every ``::: dotted.path`` (rendered from the docstrings by mkdocstrings) imports."""
    for page in sorted(API.glob("*.md")):
        for path in re.findall(r"^::: ([\w.]+)", page.read_text(encoding="utf-8"), re.MULTILINE):
            module_name, _, attr = path.rpartition(".")
            try:
                obj = importlib.import_module(path)
            except ModuleNotFoundError:
                obj = getattr(importlib.import_module(module_name), attr, None)
            assert obj is not None, f"docs/api/{page.name}: ::: {path} names nothing"


def test_the_autodiff_floor_has_a_generated_page():
    text = (API / "autodiff.md").read_text(encoding="utf-8")
    for path in ("autodiff.tensor.Tensor", "autodiff.function.Function", "autodiff.gradcheck",
                 "autodiff.viz", "autodiff.profiler", "testing.strategies"):
        assert f"::: tinygrad_keras.{path}" in text, f"docs/api/autodiff.md lacks {path}"
