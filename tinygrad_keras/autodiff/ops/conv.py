"""Cross-correlation (what deep learning calls "convolution") and its transpose.

Layout, internally: channels first.  ``x`` is ``(B, C, H, W)``, the kernel ``w``
is ``(F, C, kh, kw)``, the result ``(B, F, OH, OW)``::

    out[b, f, i, j] = sum_{c, u, v} xp[b, c, i*sh + u*dh, j*sw + v*dw] * w[f, c, u, v]

where ``xp`` is ``x`` zero-padded by ``padding = ((top, bottom), (left, right))``,
``(sh, sw)`` is the stride and ``(dh, dw)`` the dilation (atrous rate).

The backward pass is two more correlations (the "flip and swap" rule):

* d xp = *full* correlation of the stride-dilated gradient with the kernel
  flipped in both spatial axes and with its F and C axes swapped;
* d w  = correlation of ``xp`` with the gradient used as the kernel (batch
  axis playing the role of channels), with stride and dilation swapped.

Three implementations compute the same correlation:

* ``"scipy"``: one ``scipy.signal.correlate`` per (sample, filter, channel).  It is
  obviously right and is the *reference* the tests compare against, but a Python
  loop over B*F*C small images is far too slow for training.
* ``"im2col"``: every receptive field copied once into a patch matrix
  (``im2col``), multiplied by the flattened kernel in a single BLAS call.  That one
  matmul is what makes training a CNN usable; the forward's patch matrix is kept
  and reused for d w (one more matmul).
* ``"shifted"`` (``conv_shifted.py``): the image stored pixel by pixel, so that each
  kernel tap reads a fixed shift of its rows; at stride 1 every output row is one
  matmul per tap straight out of the image (no patch matrix at all), at other
  strides the matmul is done block by block from patches gathered by a few long
  copies (faster, and tens of MB less memory).

The default, ``"auto"``, is ``"shifted"`` for a training step's convolution at
stride 1 with a kernel larger than 1x1 and no dilation, and ``"im2col"`` otherwise,
except that inference takes ``"shifted"`` too where its forward is measured faster
(up to 256 input channels and long enough output rows, see ``choose_impl``):
``"shifted"`` computes every position of the input grid when strided (wasteful), its
products per tap are too short for BLAS on small images with many channels, and for
a 1x1 kernel im2col's patch matrix is the image itself.
"""
from __future__ import annotations

import weakref

import numpy as np

from ..function import Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from . import kept
from .conv_shifted import (
    SPATIAL_MAJOR,
    correlate_runs,
    correlate_shifted,
    grad_on_grid,
    grads_runs,
    input_grad_shifted,
    weight_grad_shifted,
)

DEFAULT_IMPL = {"name": "auto"}
IMPLS = ("auto", "shifted", "im2col", "scipy")


def resolve_impl(impl, stride, dilation=(1, 1)) -> str:
    """The implementation ``impl`` (None: the default) names for this ``stride`` and
    ``dilation``.  'auto' takes 'shifted' only for stride 1 and no dilation: a dilated
    kernel can leave input pixels that no window reads, and the shifted backward would
    multiply them by a zero gradient (a non-finite pixel would then give NaN in d w)."""
    name = impl or DEFAULT_IMPL["name"]
    if name not in IMPLS:
        raise ValueError(f"correlate: impl must be one of {IMPLS}, got {name!r}")
    if name == "auto":
        plain = tuple(stride) == (1, 1) and tuple(dilation) == (1, 1)
        return "shifted" if plain else "im2col"
    return name


INFERENCE_CHANNELS = 256  # see choose_impl


def choose_impl(impl, stride, dilation, kernel_hw, recording: bool, run=None) -> str:
    """The implementation one convolution runs with: ``resolve_impl``'s choice, except
    that 'auto' keeps 'shifted' only where it pays, for a kernel larger than 1x1: when
    the op is recorded for a backward pass (``recording``), or, for inference, when
    ``run = (C, OW*B)`` (input channels, length of an output row over the batch) has
    ``C <= INFERENCE_CHANNELS`` and ``OW*B >= C``.  Measured (AVX512, one thread, 3x3
    'same', shifted time / im2col time): C = 3..256 with long rows 0.48-0.93 (VGG16's
    first three blocks), C = 512 1.08-1.95, rows shorter than C 1.13-2.05 (one product
    per tap is then too short for BLAS)."""
    name = resolve_impl(impl, stride, dilation)
    inference_pays = run is not None and run[0] <= INFERENCE_CHANNELS and run[1] >= run[0]
    pays = tuple(kernel_hw) != (1, 1) and (recording or inference_pays)
    if name == "shifted" and (impl or DEFAULT_IMPL["name"]) == "auto" and not pays:
        return "im2col"
    return name


def effective_size(k: int, dilation: int) -> int:
    """Extent of a dilated kernel: ``k + (k - 1) * (dilation - 1)``."""
    return k + (k - 1) * (dilation - 1)


def out_length(padded: int, k: int, stride: int, dilation: int) -> int:
    """Output length of a correlation over an already padded axis."""
    return (padded - effective_size(k, dilation)) // stride + 1


def release(buffer) -> None:
    """Give a patch matrix back for the next im2col (``kept.py``): a fresh buffer of
    tens of MB costs a page fault per 4 kB on first touch (about as long as filling
    it), and every training step needs the same patch matrices again."""
    if buffer is not None and buffer.flags.c_contiguous:
        kept.give(buffer.reshape(-1))  # kept flat: im2col takes it by its size


def im2col(xp, k, stride, dilation) -> np.ndarray:
    """The patch matrix of ``xp`` (B, C, H, W), laid out (C, kh, kw, B, OH, OW) so that
    it reshapes for free to (C*kh*kw, B*OH*OW).  Filled one kernel offset at a time:
    kh*kw strided copies whose inner runs are whole output rows (numpy copies those
    fast, unlike a 6-d strided view whose innermost axis has only kw elements)."""
    B, C = xp.shape[:2]
    oh, ow = (out_length(n, kk, s, d) for n, kk, s, d in zip(xp.shape[2:], k, stride, dilation))
    cols = kept.take((C * k[0] * k[1] * B * oh * ow,), xp.dtype).reshape(C, k[0], k[1], B, oh, ow)
    xt = xp.transpose(1, 0, 2, 3)
    for u in range(k[0]):
        r = u * dilation[0]
        for v in range(k[1]):
            c = v * dilation[1]
            cols[:, u, v] = xt[:, :, r:r + stride[0] * (oh - 1) + 1:stride[0],
                               c:c + stride[1] * (ow - 1) + 1:stride[1]]
    return cols


def _correlate_im2col(xp, w, stride, dilation):
    """Fast path; returns ``(out, cols)``, cols the (C*kh*kw, B*OH*OW) patch matrix."""
    F, C, kh, kw = w.shape
    cols = im2col(xp, (kh, kw), stride, dilation)
    B, oh, ow = cols.shape[3:]
    cols = cols.reshape(C * kh * kw, B * oh * ow)
    out = w.reshape(F, -1) @ cols                       # one BLAS call
    return out.reshape(F, B, oh, ow).transpose(1, 0, 2, 3), cols


def _correlate_shifted(xp, w, stride, dilation, bias=None, relu=False):
    """The shifted implementation: row runs at stride 1, the input grid otherwise."""
    if tuple(stride) == (1, 1):
        return correlate_runs(xp, w, dilation, bias, relu)
    return correlate_shifted(xp, w, stride, dilation, bias, relu)


def _correlate_scipy(xp, w, stride, dilation):
    """Reference path: a scipy 'valid' correlation per (sample, filter, channel)."""
    from scipy.signal import correlate

    F, C, kh, kw = w.shape
    wd = np.zeros((F, C, effective_size(kh, dilation[0]), effective_size(kw, dilation[1])),
                  dtype=w.dtype)
    wd[:, :, ::dilation[0], ::dilation[1]] = w  # a dilated kernel is a kernel with holes
    B = xp.shape[0]
    oh, ow = (out_length(n, kk, s, d) for n, kk, s, d in
              zip(xp.shape[2:], (kh, kw), stride, dilation))
    out = np.zeros((B, F, oh, ow), dtype=np.result_type(xp, w))
    for b in range(B):
        for f in range(F):
            acc = sum(correlate(xp[b, c], wd[f, c], mode="valid") for c in range(C))
            out[b, f] = acc[::stride[0], ::stride[1]][:oh, :ow]
    return out, None


def correlate(xp, w, stride=(1, 1), dilation=(1, 1), impl=None):
    """'valid' correlation of a padded ``xp`` (B, C, H, W) with ``w`` (F, C, kh, kw)."""
    name = resolve_impl(impl, stride, dilation)
    if name == "shifted":
        return _correlate_shifted(xp, w, stride, dilation), None
    if name == "im2col":
        return _correlate_im2col(xp, w, stride, dilation)
    return _correlate_scipy(xp, w, stride, dilation)


def input_grad(g, w, padded_hw, stride, dilation, impl=None):
    """d xp from d out: full correlation of the stride-dilated ``g`` with the flipped,
    channel-swapped kernel.  ``padded_hw`` is the spatial size of ``xp``."""
    if resolve_impl(impl, (1, 1), dilation) == "shifted":  # any stride: g is zero between strides
        gflat, lead = grad_on_grid(g, padded_hw, w.shape[2:], stride, dilation)
        return input_grad_shifted(gflat, lead, w, padded_hw, dilation)[0]
    F, _, kh, kw = w.shape
    B, _, oh, ow = g.shape
    (sh, sw), (dh, dw) = stride, dilation
    eh, ew = effective_size(kh, dh), effective_size(kw, dw)
    # rows of xp past the last window get no gradient: pad the far side up to H
    tail_h = padded_hw[0] - ((oh - 1) * sh + eh)
    tail_w = padded_hw[1] - ((ow - 1) * sw + ew)
    gd = np.zeros((F, B, (oh - 1) * sh + 1 + 2 * (eh - 1) + tail_h,
                   (ow - 1) * sw + 1 + 2 * (ew - 1) + tail_w), dtype=g.dtype)
    gd = gd.transpose(1, 0, 2, 3)  # channel-major storage, see pad_hw
    gd[:, :, eh - 1:eh - 1 + (oh - 1) * sh + 1:sh, ew - 1:ew - 1 + (ow - 1) * sw + 1:sw] = g
    w_flip = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
    dxp, cols = correlate(gd, w_flip, (1, 1), dilation, impl)
    release(cols)
    return dxp


def weight_grad(g, xp, cols, kernel_hw, stride, dilation, impl=None):
    """d w from d out: correlation of ``xp`` with ``g`` as the kernel (stride and
    dilation swap roles).  With the im2col patch matrix ``cols`` it is one matmul
    and ``xp`` is not read (it may be None)."""
    F = g.shape[1]
    kh, kw = kernel_hw
    if cols is not None:
        g2 = g.transpose(1, 0, 2, 3).reshape(F, -1)   # free when g came from the fast path
        # computed as (cols @ g2.T).T: OpenBLAS runs this orientation faster
        return (cols @ g2.T).T.reshape(F, -1, kh, kw)
    if resolve_impl(impl, stride, dilation) == "shifted":
        gflat, lead = grad_on_grid(g, xp.shape[2:], kernel_hw, stride, dilation)
        return weight_grad_shifted(gflat, lead, xp, kernel_hw, dilation)
    x_swapped = np.ascontiguousarray(xp.transpose(1, 0, 2, 3))     # (C, B, H, W)
    g_swapped = np.ascontiguousarray(g.transpose(1, 0, 2, 3))      # (F, B, OH, OW)
    dw = correlate(x_swapped, g_swapped, dilation, stride, impl)[0]  # (C, F, >=kh, >=kw)
    return dw[:, :, :kh, :kw].transpose(1, 0, 2, 3)


CHANNEL_MAJOR = (1, 0, 2, 3)  # (B, C, H, W) <-> (C, B, H, W); its own inverse


def pad_hw(x, padding, storage=CHANNEL_MAJOR):
    """Zero-pad the two spatial axes of (B, C, H, W); ``padding`` is ((t, b), (l, r)).

    The result is stored in the axis order ``storage`` (a permutation that is its own
    inverse; its transpose by ``storage`` is contiguous): channel-major by default,
    the order ``im2col`` reads (copying rows out of it is about twice as fast as out
    of a batch-major array); the shifted implementation asks for spatial-major.
    No copy when ``x`` is unpadded and stored that way already."""
    (t, b), (l, r) = padding
    B, C, H, W = x.shape
    if not (t or b or l or r):
        return np.ascontiguousarray(x.transpose(storage)).transpose(storage)
    shape = (B, C, H + t + b, W + l + r)
    xp = np.zeros(tuple(shape[i] for i in storage), dtype=x.dtype).transpose(storage)
    xp[:, :, t:t + H, l:l + W] = x
    return xp


def _storage(impl, stride, dilation) -> tuple:
    return SPATIAL_MAJOR if resolve_impl(impl, stride, dilation) == "shifted" else CHANNEL_MAJOR


def _crop_hw(xp, padding):
    (t, b), (l, r) = padding
    return xp[:, :, t:xp.shape[2] - b, l:xp.shape[3] - r]


class Correlate2D(Function):
    """2-D cross-correlation, x (B, C, H, W) with w (F, C, kh, kw) -> (B, F, OH, OW).

    Options: ``stride=(sh, sw)``, ``padding=((top, bottom), (left, right))`` zeros,
    ``dilation=(dh, dw)``, ``impl='im2col'|'scipy'`` (see the module docstring).

    Under ``create_graph`` the backward is recorded as the two correlations it is
    (``CorrelateTranspose2D`` for d x, a ``Correlate2D`` of x with the gradient for
    d w), so the pair is differentiable to any order.
    """

    def forward(self, x, w, stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1),
                impl=None):
        return self._forward(x, w, stride, padding, dilation, impl)

    def _forward(self, x, w, stride, padding, dilation, impl, bias=None, relu=False):
        """The correlation, plus ``bias`` and ``relu`` (for ``Correlate2DBias``)."""
        ow = out_length(x.shape[3] + sum(padding[1]), w.shape[3], stride[1], dilation[1])
        impl = choose_impl(impl, stride, dilation, w.shape[2:],
                           is_grad_enabled() and True in self.needs_grad,
                           (x.shape[1], ow * x.shape[0]))
        self.stride, self.padding, self.dilation, self.impl = stride, padding, dilation, impl
        xp, self.w = pad_hw(x, padding, _storage(impl, stride, dilation)), w
        if resolve_impl(impl, stride, dilation) == "shifted":
            out, cols = _correlate_shifted(xp, w, stride, dilation, bias, relu), None
        else:
            out, cols = correlate(xp, w, stride, dilation, impl)
            out = out if bias is None else out + bias.reshape(1, -1, 1, 1)
            out = np.maximum(out, 0) if relu else out
        self.padded_hw = xp.shape[2:]
        self.xp = xp if cols is None else None  # the patch matrix replaces it for d w
        self.cols = cols if self.needs_grad[1] else None
        if self.cols is None:
            release(cols)
        elif cols is not None:  # recycled once the engine frees this node
            weakref.finalize(self, release, cols)
        return out

    def backward(self, grad):
        if isinstance(grad, Tensor):
            return self._recorded_backward(grad)
        dx = dw = None
        if resolve_impl(self.impl, self.stride, self.dilation) == "shifted":
            return self._shifted_backward(grad)[:2]
        if self.needs_grad[0]:
            dxp = input_grad(grad, self.w, self.padded_hw, self.stride, self.dilation,
                             self.impl)
            dx = _crop_hw(dxp, self.padding)
        if self.needs_grad[1]:
            dw = weight_grad(grad, self.xp, self.cols, self.w.shape[2:], self.stride,
                             self.dilation, self.impl)
        return dx, dw

    def _shifted_backward(self, grad, relu_out=None, bias=False):
        """``(dx, dw, db)`` (see conv_shifted.py) from ``grad``, counted only where
        ``relu_out > 0`` when given (a fused relu's output); db only when ``bias``.
        Stride 1 runs over the output rows; other strides place ``grad`` on the grid."""
        if tuple(self.stride) == (1, 1):
            dxp, dw, db = grads_runs(grad, self.xp, self.w, self.dilation, relu_out,
                                     self.needs_grad[0], self.needs_grad[1], bias)
            return (None if dxp is None else _crop_hw(dxp, self.padding)), dw, db
        mask = None if relu_out is None else relu_out > 0
        gflat, lead = grad_on_grid(grad, self.padded_hw, self.w.shape[2:], self.stride,
                                   self.dilation, mask)
        db = gflat.sum(axis=0) if bias else None  # zero off the output cells
        if not self.needs_grad[0]:
            dw = None
            if self.needs_grad[1]:
                dw = weight_grad_shifted(gflat, lead, self.xp, self.w.shape[2:], self.dilation)
            return None, dw, db
        dxp, dw = input_grad_shifted(gflat, lead, self.w, self.padded_hw, self.dilation,
                                     self.xp if self.needs_grad[1] else None)
        return _crop_hw(dxp, self.padding), dw, db

    def _recorded_backward(self, grad):
        x, w = self.inputs[:2]
        dx = dw = None
        if self.needs_grad[0]:
            dx = CorrelateTranspose2D.apply(grad, w, out_hw=x.shape[2:], stride=self.stride,
                                            padding=self.padding, dilation=self.dilation,
                                            impl=self.impl)
        if self.needs_grad[1]:
            dw = _recorded_weight_grad(grad, _padded(x, self.padding), w.shape[2:], self.stride,
                                       self.dilation, self.impl)
        return dx, dw


def _padded(x, padding):
    from ..functional import pad
    return pad(x, ((0, 0), (0, 0)) + tuple(padding))


def _recorded_weight_grad(g, xp, kernel_hw, stride, dilation, impl):
    """``weight_grad`` as recorded ops: ``xp`` (B, C, H, W) correlated with ``g``
    (B, F, OH, OW) as the kernel, batch as channels, stride and dilation swapped."""
    swap = (1, 0, 2, 3)
    dw = Correlate2D.apply(xp.transpose(swap), g.transpose(swap), stride=dilation,
                           dilation=stride, impl=impl)          # (C, F, >=kh, >=kw)
    return dw[:, :, :kernel_hw[0], :kernel_hw[1]].transpose(swap)


class CorrelateTranspose2D(Function):
    """The transpose of :class:`Correlate2D` ("deconvolution"), x (B, F, H, W) with
    w (F, C, kh, kw) -> (B, C, OH, OW) where ``out_hw = (OH, OW)`` is the size of the
    correlation's input that would have produced an ``x``-sized output.

    Forward is Correlate2D's input gradient; its backward is the forward
    correlation (for d x) and the same weight correlation (for d w).

    Under ``create_graph`` its backward is recorded as ``Correlate2D`` ops.
    """

    def forward(self, x, w, out_hw=None, stride=(1, 1), padding=((0, 0), (0, 0)),
                dilation=(1, 1), impl=None):
        self.stride, self.padding, self.dilation, self.impl = stride, padding, dilation, impl
        self.x, self.w = x, w
        padded = (out_hw[0] + sum(padding[0]), out_hw[1] + sum(padding[1]))
        self._check(x.shape[2:], padded, w.shape[2:])
        return _crop_hw(input_grad(x, w, padded, stride, dilation, impl), padding)

    def _check(self, in_hw, padded, k):
        want = tuple(out_length(p, kk, s, d) for p, kk, s, d in
                     zip(padded, k, self.stride, self.dilation))
        if want != tuple(in_hw):
            raise ValueError(f"CorrelateTranspose2D: an output of spatial size "
                             f"{tuple(p - sum(q) for p, q in zip(padded, self.padding))} "
                             f"corresponds to an input of size {want}, got {tuple(in_hw)}")

    def backward(self, grad):
        if isinstance(grad, Tensor):
            x, w = self.inputs
            dx = dw = None
            if self.needs_grad[0]:
                dx = Correlate2D.apply(grad, w, stride=self.stride, padding=self.padding,
                                       dilation=self.dilation, impl=self.impl)
            if self.needs_grad[1]:
                dw = _recorded_weight_grad(x, _padded(grad, self.padding), w.shape[2:],
                                           self.stride, self.dilation, self.impl)
            return dx, dw
        gp = pad_hw(grad, self.padding, _storage(self.impl, self.stride, self.dilation))
        gx, cols = correlate(gp, self.w, self.stride, self.dilation, self.impl)
        dw = None
        if self.needs_grad[1]:
            dw = weight_grad(self.x, gp, cols, self.w.shape[2:], self.stride, self.dilation,
                             self.impl)
        release(cols)
        return (gx if self.needs_grad[0] else None), dw
