"""3-D cross-correlation, the volumetric sibling of ``ops/conv.py``.

Layout, internally: channels first.  ``x`` is ``(B, C, D, H, W)``, the kernel
``w`` is ``(F, C, kd, kh, kw)``, the result ``(B, F, OD, OH, OW)``::

    out[b, f, i, j, l] = sum_{c, t, u, v} xp[b, c, i*sd + t*dd, j*sh + u*dh, l*sw + v*dw]
                                          * w[f, c, t, u, v]

where ``xp`` is ``x`` zero-padded by ``padding = ((front, back), (top, bottom),
(left, right))``, ``stride`` and ``dilation`` are triples.

The backward pass follows the same "flip and swap" rule as 2-D (see ``ops/conv.py``):
d xp is a full correlation of the stride-dilated gradient with the flipped,
channel-swapped kernel; d w is a correlation of ``xp`` with the gradient.

Two implementations compute the same numbers:

* ``"scipy"``: one ``scipy.signal.correlate`` per (sample, filter, channel), the
  obviously-right reference the tests compare against;
* ``"im2col"`` (the default): every receptive field copied once into a patch matrix
  (kd*kh*kw strided copies), then a single matmul with the flattened kernel.
"""
from __future__ import annotations

import itertools

import numpy as np

from ..function import Function
from .conv import effective_size, out_length

DEFAULT_IMPL = {"name": "im2col"}


def _out_shape(padded: tuple, k: tuple, stride: tuple, dilation: tuple) -> tuple:
    return tuple(out_length(n, kk, s, d) for n, kk, s, d in zip(padded, k, stride, dilation))


def _window(offset: int, stride: int, n_out: int) -> slice:
    """The strided slice that holds one kernel cell of every output position."""
    return slice(offset, offset + stride * (n_out - 1) + 1, stride)


def im2col3d(xp, k, stride, dilation) -> np.ndarray:
    """Patch matrix of ``xp`` (B, C, D, H, W), shaped (C*kd*kh*kw, B*OD*OH*OW)."""
    B, C = xp.shape[:2]
    outs = _out_shape(xp.shape[2:], k, stride, dilation)
    cols = np.empty((C,) + tuple(k) + (B,) + outs, dtype=xp.dtype)
    xt = xp.transpose(1, 0, 2, 3, 4)
    for cell in itertools.product(*(range(n) for n in k)):
        where = tuple(_window(c * d, s, n) for c, d, s, n in zip(cell, dilation, stride, outs))
        cols[(slice(None),) + cell] = xt[(slice(None), slice(None)) + where]
    return cols.reshape(C * int(np.prod(k)), B * int(np.prod(outs)))


def _correlate_im2col(xp, w, stride, dilation):
    """Fast path; returns ``(out, cols)``."""
    F = w.shape[0]
    cols = im2col3d(xp, w.shape[2:], stride, dilation)
    outs = _out_shape(xp.shape[2:], w.shape[2:], stride, dilation)
    out = (w.reshape(F, -1) @ cols).reshape((F, xp.shape[0]) + outs)
    return out.transpose(1, 0, 2, 3, 4), cols


def _correlate_scipy(xp, w, stride, dilation):
    """Reference path: a scipy 'valid' correlation per (sample, filter, channel)."""
    from scipy.signal import correlate

    F, C = w.shape[:2]
    k = w.shape[2:]
    holes = np.zeros((F, C) + tuple(effective_size(kk, d) for kk, d in zip(k, dilation)),
                     dtype=w.dtype)
    holes[(slice(None), slice(None)) + tuple(slice(None, None, d) for d in dilation)] = w
    outs = _out_shape(xp.shape[2:], k, stride, dilation)
    out = np.zeros((xp.shape[0], F) + outs, dtype=np.result_type(xp, w))
    keep = tuple(slice(0, n * s, s) for n, s in zip(outs, stride))
    for b in range(xp.shape[0]):
        for f in range(F):
            acc = sum(correlate(xp[b, c], holes[f, c], mode="valid") for c in range(C))
            out[b, f] = acc[keep]
    return out, None


def correlate3d(xp, w, stride=(1, 1, 1), dilation=(1, 1, 1), impl=None):
    """'valid' correlation of a padded ``xp`` (B, C, D, H, W) with ``w`` (F, C, kd, kh, kw);
    returns ``(out, cols)`` (``cols`` the patch matrix, None on the scipy path)."""
    name = impl or DEFAULT_IMPL["name"]
    if name == "im2col":
        return _correlate_im2col(xp, w, stride, dilation)
    if name == "scipy":
        return _correlate_scipy(xp, w, stride, dilation)
    raise ValueError(f"correlate3d: impl must be 'im2col' or 'scipy', got {name!r}")


def input_grad3d(g, w, padded, stride, dilation, impl=None):
    """d xp from d out (``padded`` is the spatial shape of ``xp``)."""
    F = w.shape[0]
    k, outs = w.shape[2:], g.shape[2:]
    eff = [effective_size(kk, d) for kk, d in zip(k, dilation)]
    # cells of xp past the last window get no gradient: pad the far side up to xp's size
    tails = [p - ((n - 1) * s + e) for p, n, s, e in zip(padded, outs, stride, eff)]
    size = [(n - 1) * s + 1 + 2 * (e - 1) + t for n, s, e, t in zip(outs, stride, eff, tails)]
    gd = np.zeros((g.shape[0], F) + tuple(size), dtype=g.dtype)
    inner = tuple(slice(e - 1, e - 1 + (n - 1) * s + 1, s) for e, n, s in zip(eff, outs, stride))
    gd[(slice(None), slice(None)) + inner] = g
    w_flip = np.ascontiguousarray(w[:, :, ::-1, ::-1, ::-1].transpose(1, 0, 2, 3, 4))
    return correlate3d(gd, w_flip, (1, 1, 1), dilation, impl)[0]


def weight_grad3d(g, xp, cols, k, stride, dilation, impl=None):
    """d w from d out: one matmul with the patch matrix, or (scipy path) a correlation
    of ``xp`` with ``g`` as the kernel, stride and dilation swapping roles."""
    F = g.shape[1]
    if cols is not None:
        g2 = g.transpose(1, 0, 2, 3, 4).reshape(F, -1)
        # as (cols @ g2.T).T: with a long inner dimension OpenBLAS runs this orientation
        # many times faster than g2 @ cols.T
        return (cols @ g2.T).T.reshape((F, -1) + tuple(k))
    x_swapped = np.ascontiguousarray(xp.transpose(1, 0, 2, 3, 4))   # (C, B, D, H, W)
    g_swapped = np.ascontiguousarray(g.transpose(1, 0, 2, 3, 4))    # (F, B, OD, OH, OW)
    dw = correlate3d(x_swapped, g_swapped, dilation, stride, impl)[0]  # (C, F, >=k...)
    return dw[:, :, :k[0], :k[1], :k[2]].transpose(1, 0, 2, 3, 4)


def pad3d(x, padding, value=0.0):
    """Pad the three spatial axes of (B, C, D, H, W) by ``padding`` (three pairs)."""
    if not any(p for pair in padding for p in pair):
        return x
    return np.pad(x, ((0, 0), (0, 0)) + tuple(tuple(p) for p in padding),
                  constant_values=value)


def crop3d(xp, padding):
    """Undo :func:`pad3d`."""
    return xp[(slice(None), slice(None)) +
              tuple(slice(a, n - b) for (a, b), n in zip(padding, xp.shape[2:]))]


class Correlate3D(Function):
    """3-D cross-correlation, x (B, C, D, H, W) with w (F, C, kd, kh, kw) -> (B, F, OD, OH, OW).

    Options: ``stride`` and ``dilation`` (triples), ``padding`` (three (before, after)
    pairs of zeros), ``impl='im2col'|'scipy'``.

    ``first_order_only = True``: the backward works on numpy arrays (the im2col patch
    matrix is reused for d w, one matmul instead of a correlation), so its result is
    not itself differentiable; differentiating it under ``create_graph=True`` raises.
    """

    first_order_only = True

    def forward(self, x, w, stride=(1, 1, 1), padding=((0, 0),) * 3, dilation=(1, 1, 1),
                impl=None):
        self.stride, self.padding, self.dilation, self.impl = stride, padding, dilation, impl
        xp = pad3d(x, padding)
        out, cols = correlate3d(xp, w, stride, dilation, impl)
        self.w, self.padded = w, xp.shape[2:]
        self.xp = xp if cols is None else None
        self.cols = cols if self.needs_grad[1] else None
        return out

    def backward(self, grad):
        dx = dw = None
        if self.needs_grad[0]:
            dxp = input_grad3d(grad, self.w, self.padded, self.stride, self.dilation, self.impl)
            dx = crop3d(dxp, self.padding)
        if self.needs_grad[1]:
            dw = weight_grad3d(grad, self.xp, self.cols, self.w.shape[2:], self.stride,
                               self.dilation, self.impl)
        return dx, dw
