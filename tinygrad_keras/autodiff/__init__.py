"""The autodiff floor: Tensor, the backward engine, primitives and gradient checks."""
from . import functional
from .differentiate import grad
from .function import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import gradcheck, gradcheck_directional, gradgradcheck
from .tensor import Tensor, _install_methods, tensor

_install_methods()  # operators and methods come from functional (see tensor.py)

__all__ = ["Function", "Tensor", "enable_grad", "functional", "grad", "gradcheck",
           "gradcheck_directional", "gradgradcheck", "is_grad_enabled", "no_grad",
           "set_grad_enabled", "tensor"]

# TINYGRAD_KERAS_DEBUG=1 profiles every op of the run (see profiler.py); unset, nothing changes
from .profiler import profile_from_env as _profile_from_env

_profile_from_env()
