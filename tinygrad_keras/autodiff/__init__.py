"""The autodiff floor: Tensor, the backward engine, primitives and gradient checks."""
from .function import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor, tensor
from . import functional
from .gradcheck import gradcheck, gradcheck_directional

__all__ = ["Tensor", "tensor", "Function", "no_grad", "enable_grad", "is_grad_enabled",
           "set_grad_enabled", "functional", "gradcheck", "gradcheck_directional"]

# TINYGRAD_KERAS_DEBUG=1 profiles every op of the run (see profiler.py); unset, nothing changes
from .profiler import profile_from_env as _profile_from_env  # noqa: E402
_profile_from_env()
