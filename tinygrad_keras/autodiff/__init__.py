"""The autodiff floor: Tensor, the backward engine, primitives and gradient checks."""
from .function import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor, tensor
from . import functional
from .gradcheck import gradcheck, gradcheck_directional

__all__ = ["Tensor", "tensor", "Function", "no_grad", "enable_grad", "is_grad_enabled",
           "set_grad_enabled", "functional", "gradcheck", "gradcheck_directional"]
