"""Name lookup shared by the ``get(identifier)`` functions of the math modules.

Keras 1 lets users name things by string (``'relu'``, ``'adam'``), by config
dict (``{'name': 'l2', 'l': 0.01}``) or pass the object itself.  Strings are
looked up first among the user's custom objects, then in the module; an unknown
name raises a ``ValueError`` that lists the valid ones.
"""
from __future__ import annotations


def custom_objects() -> dict:
    """The global custom objects (``utils.generic_utils``), empty if that module is absent."""
    try:
        from .utils.generic_utils import get_custom_objects
    except ImportError:
        return {}
    return get_custom_objects()


def resolve(name: str, table: dict, kind: str):
    """The object registered under ``name`` (custom objects win), else a clear ValueError."""
    found = custom_objects().get(name) or table.get(name)
    if found is None:
        valid = ", ".join(sorted(table))
        raise ValueError(f"Invalid {kind}: {name!r}. Valid names are: {valid}")
    return found


def get_from_table(identifier, table: dict, kind: str, instantiate: bool = False,
                   kwargs: dict | None = None):
    """Resolve a string, ``{'name': ..., **kwargs}`` dict or object (passed through).

    With ``instantiate`` a class or factory found by name is called with
    ``kwargs`` (Keras 1: ``regularizers.get('l2')`` is ``l2()``).
    """
    if isinstance(identifier, str):
        found = resolve(identifier, table, kind)
        return found(**(kwargs or {})) if instantiate else found
    if isinstance(identifier, dict):
        config = dict(identifier)
        if "name" not in config:
            raise ValueError(f"A {kind} given as a dict needs a 'name' key, got {identifier!r}")
        return resolve(config.pop("name"), table, kind)(**config)
    return identifier


def get_function(identifier, table: dict, kind: str, signature: str = ""):
    """A function by name from ``table``; callables pass through; anything else is a TypeError.

    Shared by ``activations.get``, ``initializations.get``, ``objectives.get`` and
    ``metrics.get``: ``kind`` names the thing in messages, ``signature`` shows the
    call a user function must accept.
    """
    if callable(identifier):
        return identifier
    if not isinstance(identifier, str):
        article = "An" if kind[0] in "aeiou" else "A"
        raise TypeError(f"{article} {kind} must be a name or a callable{signature}, "
                        f"got {identifier!r}")
    return get_from_table(identifier, table, kind)
