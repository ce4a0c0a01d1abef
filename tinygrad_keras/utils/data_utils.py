"""Downloading and caching data files, and reading pickled data safely.

``get_file`` keeps the Keras 1.2.2 cache layout (``~/.keras/<cache_subdir>/``,
falling back to ``/tmp/.keras`` when the home folder is not writable), so a
cache filled by Keras 1 is used as it is.  Differences from 1.2.2, all in the
direction of not losing or trusting data:

* a download goes to a temporary file renamed into place only when complete;
* a failed download never deletes a file that was already there; offline, the
  error says which file to put where;
* a file already in the cache is never downloaded again: if its MD5 differs
  from ``md5_hash`` (1.2.2 re-downloaded it) a warning says so and tells how
  to refresh it (delete it), and the file is used as it is;
* a freshly downloaded file is checked against ``md5_hash``;
* archives are extracted with tarfile's ``'data'`` filter (no absolute paths,
  no ``..``, no links out of the folder), and an already extracted folder is
  used even if its archive is gone.

``safe_pickle_load`` reads the pickles of the Keras 1 datasets while refusing
anything but numpy arrays/scalars/dtypes and plain containers: a data file can
never run code.
"""
from __future__ import annotations

import codecs
import hashlib
import http.client
import io
import os
import pickle
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import warnings
from urllib.request import urlretrieve  # noqa: F401  (Keras 1.2.2 re-exported it here)

import numpy as np

from .generic_utils import Progbar


class DownloadError(OSError):
    """A file could not be downloaded (the message says where to put it by hand)."""


# ---- cache folder ---------------------------------------------------------------------
def cache_dir(cache_subdir: str = "datasets") -> str:
    """``~/.keras/<cache_subdir>`` (created), or ``/tmp/.keras/<cache_subdir>`` if not writable."""
    base = os.path.expanduser(os.path.join("~", ".keras"))
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        pass
    if not os.access(base, os.W_OK):
        base = os.path.join(tempfile.gettempdir(), ".keras")
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    return datadir


def validate_file(fpath: str, md5_hash: str) -> bool:
    """True when the MD5 hex digest of the file at ``fpath`` equals ``md5_hash``."""
    return file_md5(fpath) == str(md5_hash)


def file_md5(fpath: str) -> str:
    hasher = hashlib.md5()
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


# ---- downloading ----------------------------------------------------------------------
def _copy_with_progress(response, out, total: int | None) -> None:
    progbar = Progbar(total) if total else None
    done = 0
    for chunk in iter(lambda: response.read(1 << 16), b""):
        out.write(chunk)
        done += len(chunk)
        if progbar is not None:
            progbar.update(min(done, total))


def download(origin: str, fpath: str, md5_hash: str | None = None, timeout: float = 60) -> None:
    """Fetch ``origin`` into ``fpath`` via a temporary file; raise ``DownloadError`` on failure."""
    print("Downloading data from", origin)
    folder = os.path.dirname(os.path.abspath(fpath))
    handle, tmp_path = tempfile.mkstemp(dir=folder, prefix=".download-")
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(origin, timeout=timeout) as r:
            length = r.headers.get("Content-Length")
            _copy_with_progress(r, out, int(length) if length else None)
        if md5_hash is not None and not validate_file(tmp_path, md5_hash):
            raise DownloadError(f"The file downloaded from {origin} has MD5 {file_md5(tmp_path)}, "
                                f"expected {md5_hash}")
        os.replace(tmp_path, fpath)
    except DownloadError:
        raise
    except urllib.error.HTTPError as e:
        raise DownloadError(_offline_message(origin, fpath, f"{e.code} -- {e.msg}")) from e
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as e:
        reason = getattr(e, "reason", e)
        raise DownloadError(_offline_message(origin, fpath, f"{reason}")) from e
    finally:
        if os.path.exists(tmp_path):
            os.remove(tmp_path)


def _offline_message(origin: str, fpath: str, reason: str) -> str:
    return (f"URL fetch failure on {origin}: {reason}. If this machine is offline, download "
            f"{origin} by other means and put it at {fpath}")


def get_file(fname: str, origin: str, untar: bool = False, md5_hash: str | None = None,
             cache_subdir: str = "datasets") -> str:
    """Path of ``fname`` in the cache, downloading it from ``origin`` only when missing.

    With ``untar=True`` the download is ``<fname>.tar.gz``, extracted into the
    cache folder, and the path of the extracted ``<fname>`` folder is returned.
    """
    datadir = cache_dir(cache_subdir)
    target = os.path.join(datadir, fname)
    fpath = target + ".tar.gz" if untar else target
    if untar and os.path.exists(target):
        return target
    if not os.path.exists(fpath):
        download(origin, fpath, md5_hash)
    elif md5_hash is not None and not validate_file(fpath, md5_hash):
        warnings.warn(f"{fpath} does not match the expected MD5 {md5_hash} (it may be "
                      f"incomplete, outdated or a stand-in); using it as it is. Delete it "
                      f"to download it again from {origin}.")
    if untar:
        extract_archive(fpath, datadir, target)
    return fpath if not untar else target


def extract_archive(fpath: str, into: str, expected: str) -> None:
    """Extract the tar(.gz) archive ``fpath`` into ``into``; remove ``expected`` on failure."""
    print("Untaring file...")
    try:
        with tarfile.open(fpath, "r:*") as archive:
            if hasattr(tarfile, "data_filter"):
                archive.extractall(path=into, filter="data")
            else:  # Python without extraction filters: check the member paths ourselves
                archive.extractall(path=into, members=_checked_members(archive, into))
    except (Exception, KeyboardInterrupt):
        if os.path.isdir(expected):
            shutil.rmtree(expected)
        elif os.path.exists(expected):
            os.remove(expected)
        raise


def _checked_members(archive: tarfile.TarFile, into: str) -> list:
    root = os.path.realpath(into)
    members = []
    for member in archive.getmembers():
        path = os.path.realpath(os.path.join(into, member.name))
        if not (member.isfile() or member.isdir()) or os.path.commonpath([root, path]) != root:
            raise tarfile.TarError(f"refusing archive member {member.name!r}: it is a link, "
                                   "a device, or would land outside the extraction folder")
        members.append(member)
    return members


# ---- safe unpickling ------------------------------------------------------------------
def _numpy_internals() -> dict:
    try:  # numpy 2 keeps these in numpy._core; pickles from numpy 1 name numpy.core
        from numpy._core import multiarray, numeric
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core import multiarray, numeric
    allowed = {}
    for package in ("numpy.core", "numpy._core"):
        allowed[(package + ".multiarray", "_reconstruct")] = multiarray._reconstruct
        allowed[(package + ".multiarray", "scalar")] = multiarray.scalar
        allowed[(package + ".numeric", "_frombuffer")] = numeric._frombuffer
    allowed[("numpy", "ndarray")] = np.ndarray
    allowed[("numpy", "dtype")] = np.dtype
    return allowed


def _latin1_encode(text, encoding="latin1"):
    """Protocol-2 pickles store bytes as ``_codecs.encode(text, 'latin1')``: allow only that."""
    if codecs.lookup(encoding).name != "iso8859-1":
        raise pickle.UnpicklingError(f"refusing _codecs.encode with encoding {encoding!r}")
    return codecs.encode(text, "latin1")


_PLAIN_TYPES = (list, dict, tuple, set, frozenset, str, bytes, bytearray, int, float,
                complex, bool)
_ALLOWED = {(module, t.__name__): t for t in _PLAIN_TYPES for module in ("builtins", "__builtin__")}
_ALLOWED[("_codecs", "encode")] = _latin1_encode
_ALLOWED.update(_numpy_internals())


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that only builds numpy arrays, numpy scalars/dtypes and plain containers."""

    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name} from a data file: only numpy arrays and "
                "plain containers (list, dict, tuple, str, bytes, int, float) are allowed"
            ) from None


def safe_pickle_load(file, encoding: str = "ASCII"):
    """Unpickle from a binary file object with ``RestrictedUnpickler``.

    ``encoding`` is how Python 2 ``str`` objects are decoded (``'bytes'`` keeps
    them as bytes, as Keras 1 does for MNIST and CIFAR; ``'latin1'`` for word
    indexes).
    """
    return RestrictedUnpickler(file, encoding=encoding).load()


def safe_pickle_loads(data: bytes, encoding: str = "ASCII"):
    """``safe_pickle_load`` on bytes."""
    return safe_pickle_load(io.BytesIO(data), encoding=encoding)
