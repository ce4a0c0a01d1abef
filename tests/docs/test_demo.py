"""The README's first command: ``python -m tinygrad_keras.demo`` trains the guide's MLP
on the bundled digits, shows the progress bar and passes 0.95 test accuracy."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_reaches_095_with_default_settings(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-m", "tinygrad_keras.demo"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "Epoch 20/20" in out and "1440/1440 [====" in out, out[:2000]
    acc = float(re.search(r"test accuracy ([0-9.]+)", out).group(1))
    assert acc > 0.95, out[-1500:]
    plot = tmp_path / "demo_history.png"
    if "matplotlib is not installed" in out:
        assert not plot.exists()
    else:
        assert plot.stat().st_size > 1000, out[-500:]


def test_demo_plot_says_why_it_is_missing(monkeypatch):
    """Without matplotlib the demo says so instead of failing."""
    import builtins

    from tinygrad_keras.demo import save_plot

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    assert "matplotlib is not installed" in save_plot(history=None, path="unused.png")
