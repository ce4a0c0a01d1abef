"""Progbar text (Keras 1.2.2 format on fixed numbers), redrawing, and custom-object lookup."""
import io

import pytest

from tinygrad_keras.utils import generic_utils as gu
from tinygrad_keras.utils.generic_utils import (
    CustomObjectScope,
    Progbar,
    custom_object_scope,
    format_bar,
    format_epoch_summary,
    format_number,
    format_progress_line,
    get_custom_objects,
    get_from_module,
)


class FakeClock:
    def __init__(self, t=1000.0):
        self.t = t

    def __call__(self):
        return self.t


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(gu, "_clock", fake)
    return fake


# ---- the pure formatter ---------------------------------------------------------------
def test_bar_examples_of_the_spec():
    assert format_bar(128, 60000) == "  128/60000 [" + "." * 30 + "]"
    assert format_bar(30080, 60000) == "30080/60000 [" + "=" * 14 + ">" + "." * 15 + "]"
    assert format_bar(60000, 60000) == "60000/60000 [" + "=" * 30 + "]"


def test_bar_small_targets():
    assert format_bar(1, 3) == "1/3 [=========>....................]"
    assert format_bar(5, 10, width=10) == " 5/10 [====>.....]"
    assert format_bar(0, 7, width=4) == "0/7 [....]"


def test_running_line_with_eta():
    line = format_progress_line(128, 60000, 0.158, [("loss", 2.3094), ("acc", 0.0859)])
    # eta = 0.158 / 128 * 59872 = 73.9 -> truncated to 73
    assert line == "  128/60000 [" + "." * 30 + "] - ETA: 73s - loss: 2.3094 - acc: 0.0859"


def test_final_line_shows_elapsed():
    values = [("loss", 0.2459), ("acc", 0.9238), ("val_loss", 0.1041), ("val_acc", 0.968)]
    line = format_progress_line(60000, 60000, 3.99, values)
    assert line == ("60000/60000 [" + "=" * 30 + "] - 3s - loss: 0.2459 - acc: 0.9238"
                    " - val_loss: 0.1041 - val_acc: 0.9680")


def test_small_values_switch_to_exponent():
    assert format_number(0.5) == " 0.5000"
    assert format_number(0.001) == " 1.0000e-03"
    assert format_number(-0.5) == " -0.5000"
    # verbose=2 compares without abs(): negatives use the e format
    assert format_number(-0.5, use_abs=False) == " -5.0000e-01"


def test_epoch_summary_line():
    values = [("loss", 0.2459), ("acc", 0.9238), ("val_loss", -0.25)]
    assert format_epoch_summary(3.7, values) == \
        "3s - loss: 0.2459 - acc: 0.9238 - val_loss: -2.5000e-01"


# ---- Progbar on a terminal ------------------------------------------------------------
def test_terminal_redraw_erases_previous_line(monkeypatch, clock):
    out = Terminal()
    monkeypatch.setattr("sys.stdout", out)
    bar = Progbar(4, width=4)
    clock.t += 1.0
    bar.update(1, [("loss", 1.0)])
    first = "1/4 [>...] - ETA: 3s - loss: 1.0000"
    assert out.getvalue() == "\r" + first
    clock.t += 1.0
    bar.update(4, [("loss", 0.5)])
    final = "4/4 [====] - 2s - loss: 0.6250"  # (1*1 + 0.5*3) / 4
    assert out.getvalue() == "\r" + first + "\b" * len(first) + "\r" + final + \
        " " * (len(first) - len(final)) + "\n"


def test_terminal_updates_are_throttled_unless_forced(monkeypatch, clock):
    out = Terminal()
    monkeypatch.setattr("sys.stdout", out)
    bar = Progbar(10, interval=0.05)
    bar.update(1, [("loss", 1.0)])
    drawn = out.getvalue()
    clock.t += 0.01
    bar.update(2, [("loss", 3.0)])
    assert out.getvalue() == drawn  # skipped, but the value was still recorded
    bar.update(3, [("loss", 2.0)], force=True)
    assert out.getvalue().endswith("loss: 2.0000")  # (1 + 3 + 2) / 3


def test_terminal_final_draw_is_never_throttled(monkeypatch, clock):
    out = Terminal()
    monkeypatch.setattr("sys.stdout", out)
    bar = Progbar(2, width=2)
    bar.update(1)
    bar.update(2)  # same instant: an intermediate draw would be skipped, the final is not
    assert out.getvalue().endswith("\r2/2 [==] - 0s     \n")  # padded to the ETA line


# ---- Progbar elsewhere (file, pipe, notebook) -----------------------------------------
def test_non_terminal_prints_only_the_final_line(capsys, clock):
    bar = Progbar(6, width=6)
    for step in range(1, 7):
        clock.t += 0.5
        bar.update(step, [("loss", float(step))])
    out = capsys.readouterr().out
    assert out == "6/6 [======] - 3s - loss: 3.5000\n"
    assert "\b" not in out and "\r" not in out


def test_verbose_2_prints_one_summary_line(capsys, clock):
    bar = Progbar(4, verbose=2)
    bar.add(2, [("loss", 1.0), ("acc", 0.5)])
    clock.t += 2.5
    bar.add(2, [("loss", 0.0), ("acc", 1.0)])
    assert capsys.readouterr().out == "2s - loss: 0.5000 - acc: 0.7500\n"


def test_verbose_0_is_silent(capsys):
    bar = Progbar(3, verbose=0)
    bar.add(3, [("loss", 1.0)])
    assert capsys.readouterr().out == ""
    assert bar.averages() == [("loss", 1.0)]


def test_averages_weight_by_steps():
    bar = Progbar(10, verbose=0)
    bar.update(2, [("a", 1.0)])
    bar.update(10, [("a", 2.0), ("b", 4.0)])
    assert bar.averages() == [("a", (2 * 1.0 + 8 * 2.0) / 10), ("b", 4.0)]


def test_func_dump_gives_code_defaults_and_closure():
    import marshal
    scale = 3

    def f(x, y=2):
        return x * y * scale
    code, defaults, closure = gu.func_dump(f)
    assert defaults == (2,) and closure == (3,)
    assert marshal.loads(code.encode("raw_unicode_escape")).co_name == "f"


# ---- custom objects ---------------------------------------------------------------------
def test_custom_object_scope_restores_globals():
    def my_fn():
        return 1
    get_custom_objects()["kept"] = len
    with custom_object_scope({"my_fn": my_fn}) as scope:
        assert isinstance(scope, CustomObjectScope)
        assert get_custom_objects()["my_fn"] is my_fn
        get_custom_objects()["inner"] = abs
    assert "my_fn" not in get_custom_objects() and "inner" not in get_custom_objects()
    assert get_custom_objects().pop("kept") is len


def test_get_from_module_names_dicts_and_objects():
    class Reg:
        def __init__(self, l=0.0):
            self.l = l
    table = {"reg": Reg, "relu": max}
    assert get_from_module("relu", table, "activation") is max
    assert get_from_module("reg", table, "regularizer", instantiate=True).l == 0.0
    assert get_from_module("reg", table, "regularizer", instantiate=True, kwargs={"l": 2}).l == 2
    config = {"name": "reg", "l": 0.5}
    assert get_from_module(config, table, "regularizer").l == 0.5
    assert config == {"name": "reg", "l": 0.5}  # the caller's dict is left alone
    assert get_from_module(min, table, "activation") is min
    with CustomObjectScope({"relu": min}):
        assert get_from_module("relu", table, "activation") is min


def test_get_from_module_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match=r"Invalid activation: 'rleu'.*relu"):
        get_from_module("rleu", {"relu": max, "_private": min}, "activation")
