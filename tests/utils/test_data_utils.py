"""get_file against a real HTTP server on 127.0.0.1, archives, and the restricted unpickler."""
import hashlib
import io
import os
import pickle
import tarfile
import threading
from functools import partial
from http.server import HTTPServer, SimpleHTTPRequestHandler

import numpy as np
import pytest

from tinygrad_keras.utils import data_utils
from tinygrad_keras.utils.data_utils import (
    DownloadError,
    get_file,
    safe_pickle_load,
    safe_pickle_loads,
    validate_file,
)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


@pytest.fixture
def server(tmp_path):
    """Serves ``tmp_path/www`` on 127.0.0.1; ``server.requests`` lists the paths asked for."""
    www = tmp_path / "www"
    www.mkdir()
    requests = []

    class Handler(QuietHandler):
        def do_GET(self):
            requests.append(self.path)
            super().do_GET()
    httpd = HTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(www)))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    httpd.www, httpd.requests = www, requests
    httpd.url = "http://127.0.0.1:%d/" % httpd.server_port
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def home(tmp_path, monkeypatch):
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("HOME", str(path))
    return path


def test_download_once_then_use_the_cache(server, home, capsys):
    payload = os.urandom(200_000)
    (server.www / "blob.bin").write_bytes(payload)
    path = get_file("blob.bin", origin=server.url + "blob.bin")
    assert path == str(home / ".keras" / "datasets" / "blob.bin")
    assert read_bytes(path) == payload
    assert "Downloading data from " + server.url + "blob.bin" in capsys.readouterr().out
    assert get_file("blob.bin", origin=server.url + "blob.bin") == path
    assert server.requests == ["/blob.bin"]
    assert os.listdir(home / ".keras" / "datasets") == ["blob.bin"]  # no temp file left over


def test_md5_checked_after_download(server, home):
    (server.www / "a.txt").write_bytes(b"hello")
    good = hashlib.md5(b"hello").hexdigest()
    path = get_file("a.txt", origin=server.url + "a.txt", md5_hash=good, cache_subdir="other")
    assert validate_file(path, good) and path.endswith(os.path.join("other", "a.txt"))
    with pytest.raises(DownloadError, match="expected 0123"):
        get_file("b.txt", origin=server.url + "a.txt", md5_hash="0123")
    assert os.listdir(home / ".keras" / "datasets") == []


def test_cached_file_with_other_md5_is_used_with_a_warning(server, home):
    folder = home / ".keras" / "datasets"
    folder.mkdir(parents=True)
    (folder / "c.pkl").write_bytes(b"stand-in")
    with pytest.warns(UserWarning, match="does not match the expected MD5"):
        path = get_file("c.pkl", origin=server.url + "c.pkl", md5_hash="ffff")
    assert read_bytes(path) == b"stand-in" and server.requests == []


def test_http_error_names_the_file_to_put_by_hand(server, home):
    with pytest.raises(DownloadError) as err:
        get_file("missing.pkl", origin=server.url + "missing.pkl")
    message = str(err.value)
    assert "404" in message and server.url + "missing.pkl" in message
    assert str(home / ".keras" / "datasets" / "missing.pkl") in message
    assert os.listdir(home / ".keras" / "datasets") == []


def test_offline_message(home):
    probe = HTTPServer(("127.0.0.1", 0), QuietHandler)
    port = probe.server_port
    probe.server_close()  # nothing listens on that port now: connection refused
    with pytest.raises(DownloadError, match="offline.*put it at .*x.pkl"):
        get_file("x.pkl", origin="http://127.0.0.1:%d/x.pkl" % port)


def test_home_not_writable_falls_back_to_tmp(home, tmp_path, monkeypatch):
    monkeypatch.setattr(data_utils.os, "access", lambda path, mode: False)
    monkeypatch.setattr(data_utils.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    assert data_utils.cache_dir() == str(tmp_path / "tmp" / ".keras" / "datasets")


def _make_tar(path, members):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_untar_extracts_once(server, home):
    _make_tar(server.www / "pack.tar.gz", {"pack/one.txt": b"1", "pack/sub/two.txt": b"2"})
    path = get_file("pack", origin=server.url + "pack.tar.gz", untar=True)
    assert path == str(home / ".keras" / "datasets" / "pack")
    assert read_bytes(os.path.join(path, "sub", "two.txt")) == b"2"
    os.remove(path + ".tar.gz")  # the extracted folder alone is enough
    assert get_file("pack", origin=server.url + "pack.tar.gz", untar=True) == path
    assert server.requests == ["/pack.tar.gz"]


def test_untar_refuses_paths_outside_the_cache(server, home):
    _make_tar(server.www / "evil.tar.gz", {"../../escaped.txt": b"x"})
    with pytest.raises(tarfile.TarError):
        get_file("evil", origin=server.url + "evil.tar.gz", untar=True)
    assert not (home / "escaped.txt").exists() and not (home / ".keras" / "escaped.txt").exists()


# ---- restricted unpickler -------------------------------------------------------------
@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_safe_pickle_reads_arrays_and_containers(protocol):
    data = {b"data": np.arange(12, dtype="uint8").reshape(3, 4), "labels": [1, 2, 3],
            "nested": ((np.float32(1.5), np.int64(3)), {"s": "text", "b": b"\x00\xff"}),
            "ragged": np.array([[1, 2], [3]], dtype=object), "set": {1, 2}, "f": 2.5}
    back = safe_pickle_loads(pickle.dumps(data, protocol=protocol))
    np.testing.assert_array_equal(back[b"data"], data[b"data"])
    assert back[b"data"].dtype == np.uint8
    assert back["labels"] == [1, 2, 3] and back["set"] == {1, 2} and back["f"] == 2.5
    assert back["nested"][0][0] == np.float32(1.5) and back["nested"][1]["b"] == b"\x00\xff"
    assert back["ragged"][1] == [3]


class RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_safe_pickle_refuses_code(tmp_path):
    marker = str(tmp_path / "pwned")
    evil = pickle.dumps({"x": [RunsCode(marker)]}, protocol=2)
    # pickle names open by its __module__: io.open up to Python 3.12, _io.open from 3.13
    with pytest.raises(pickle.UnpicklingError, match=r"refusing to load _?io\.open"):
        safe_pickle_load(io.BytesIO(evil))
    assert not os.path.exists(marker)
    pickle.loads(evil)["x"][0].close()  # the same bytes do run code with the plain unpickler
    assert os.path.exists(marker)


def test_safe_pickle_refuses_other_globals():
    for module, name in [("os", "system"), ("numpy", "load"), ("builtins", "eval"),
                         ("numpy.testing", "assert_equal")]:
        payload = b"c" + module.encode() + b"\n" + name.encode() + b"\n."
        with pytest.raises(pickle.UnpicklingError, match="only numpy arrays"):
            safe_pickle_loads(payload)


def test_safe_pickle_codecs_only_latin1():
    ok = pickle.dumps(b"\xff\x00", protocol=2)  # written as _codecs.encode(..., 'latin1')
    assert safe_pickle_loads(ok) == b"\xff\x00"
    evil = ok.replace(b"latin1", b"utf_16")  # same length, so the pickle stays well-formed
    with pytest.raises(pickle.UnpicklingError, match="encoding 'utf_16'"):
        safe_pickle_loads(evil)


def _py2_string(b):
    return b"U" + bytes([len(b)]) + b  # SHORT_BINSTRING: how Python 2 pickled str


def test_safe_pickle_reads_a_python2_numpy_pickle():
    # Opcodes as Python 2 + numpy 1 wrote the Keras 1 caches: numpy.core module names,
    # str as byte strings, the array buffer as a str (no _codecs.encode).
    py2 = (b"\x80\x02}(" + _py2_string(b"data")
           + b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85"
           + _py2_string(b"b") + b"\x87R(K\x01K\x02K\x03\x86cnumpy\ndtype\n" + _py2_string(b"u1")
           + b"K\x00K\x01\x87R(K\x03" + _py2_string(b"|")
           + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89" + _py2_string(bytes(range(6)))
           + b"tb" + _py2_string(b"labels") + b"](K\x01K\x02eu.")
    as_bytes = safe_pickle_loads(py2, encoding="bytes")  # what mnist/cifar use
    np.testing.assert_array_equal(as_bytes[b"data"], np.arange(6, dtype="uint8").reshape(2, 3))
    assert as_bytes[b"labels"] == [1, 2]
    assert sorted(safe_pickle_loads(py2, encoding="latin1")) == ["data", "labels"]
