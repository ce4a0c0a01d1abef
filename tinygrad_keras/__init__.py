"""tinygrad_keras: the Keras 1 API on a small reverse-mode autodiff Tensor, for learning."""
from ._alias import install_keras_alias
from .autodiff import Function, Tensor, enable_grad, no_grad
from .autodiff.gradcheck import gradcheck, gradcheck_directional, gradgradcheck

__version__ = "0.1.0"
__all__ = ["Function", "Tensor", "enable_grad", "gradcheck", "gradcheck_directional",
           "gradgradcheck", "install_keras_alias", "no_grad"]
