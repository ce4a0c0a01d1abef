"""``import keras`` -> tinygrad_keras, for running Keras 1 scripts unchanged.

``install_keras_alias()`` puts a finder at the front of ``sys.meta_path`` that
answers every ``keras`` / ``keras.<sub>`` import with the matching
``tinygrad_keras`` module (the very same module object, so
``keras.backend is tinygrad_keras.backend``).  The top-level ``keras`` is a
small proxy module: it reports ``__version__ == '1.2.2'`` (the API it speaks)
and forwards every other attribute to ``tinygrad_keras``, importing submodules
on first use as Keras 1's ``keras/__init__.py`` did.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types

ALIAS, TARGET = "keras", "tinygrad_keras"
KERAS_API_VERSION = "1.2.2"


def _forward(name: str):
    real = sys.modules[TARGET]
    if hasattr(real, name):
        return getattr(real, name)
    try:
        return importlib.import_module(f"{TARGET}.{name}")
    except ModuleNotFoundError as err:
        if err.name != f"{TARGET}.{name}":
            raise
        raise AttributeError(f"module 'keras' (tinygrad_keras) has no attribute {name!r}") \
            from None


def _make_proxy() -> types.ModuleType:
    real = importlib.import_module(TARGET)
    proxy = types.ModuleType(ALIAS, real.__doc__)
    proxy.__path__ = list(real.__path__)
    proxy.__version__ = KERAS_API_VERSION
    proxy.__getattr__ = _forward
    return proxy


class _ExistingModuleLoader(importlib.abc.Loader):
    """Hands the import system an already executed module and keeps the module's own spec.

    Importing ``keras.x`` makes the import system set ``module.__spec__`` to the alias
    spec (named ``keras.x``); ``exec_module`` puts the module's real spec back, so that
    ``__spec__.parent`` stays equal to ``__package__`` (``tinygrad_keras...``), which
    relative imports read (from Python 3.14, only ``__spec__``).
    """

    def __init__(self, module: types.ModuleType):
        self.module = module
        self.own_spec = getattr(module, "__spec__", None)

    def create_module(self, spec):
        return self.module

    def exec_module(self, module) -> None:  # already executed under its real name
        if self.own_spec is not None:
            module.__spec__ = self.own_spec


class KerasAliasFinder(importlib.abc.MetaPathFinder):
    """Resolves ``keras`` and ``keras.*`` to ``tinygrad_keras`` and ``tinygrad_keras.*``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == ALIAS:
            module = _make_proxy()
        elif fullname.startswith(ALIAS + "."):
            try:
                module = importlib.import_module(TARGET + fullname[len(ALIAS):])
            except ModuleNotFoundError as err:
                if err.name != TARGET + fullname[len(ALIAS):]:
                    raise
                return None
        else:
            return None
        return importlib.util.spec_from_loader(fullname, _ExistingModuleLoader(module),
                                               is_package=hasattr(module, "__path__"))


def install_keras_alias() -> None:
    """Make ``import keras`` (and every ``keras.x.y``) load tinygrad_keras; idempotent.

    A ``keras`` module imported before this call (a real Keras) is replaced for
    the rest of the process.
    """
    if not any(isinstance(f, KerasAliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, KerasAliasFinder())
    for name in [n for n in sys.modules if n == ALIAS or n.startswith(ALIAS + ".")]:
        if not getattr(sys.modules[name], "__name__", "").startswith(TARGET) and \
                sys.modules[name].__spec__ is not None and \
                not isinstance(sys.modules[name].__spec__.loader, _ExistingModuleLoader):
            del sys.modules[name]
