"""Keras 1.2.2 ``Layer`` methods for updates, conditional losses and masks.

In Keras 1.2.2 a layer's ``call`` ran once, building a graph, and
``add_update([(variable, new_value)], inputs)`` registered an assignment that
every training step would run.  Here ``call`` runs on real Tensors at every
batch, so the updates a layer adds describe *this* pass: they are kept until the
next pass starts, and the training loop assigns them after the optimizer step
(``Container.apply_updates``).  A custom layer keeping a running mean therefore
writes ``self.add_update([(self.mean, new_mean)], x)`` in ``call``, as in 1.2.2.

Masks: a model is recorded symbolically, so ``input_mask`` / ``output_mask``
return a *mask Keras tensor* (or ``None`` when the layer provably passes no mask);
``K.function([model.input], [layer.output_mask])`` computes its value.
"""
from __future__ import annotations


def to_list(x) -> list:
    """``x`` if it is a list, else ``[x]`` (Keras 1.2.2 ``engine.topology.to_list``)."""
    return x if isinstance(x, list) else [x]


def object_list_uid(object_list) -> str:
    """A string naming the objects of ``object_list`` by identity (a dict key)."""
    return ", ".join(str(abs(id(x))) for x in to_list(object_list))


def _check_update(update, layer_name: str) -> tuple:
    if not (isinstance(update, (tuple, list)) and len(update) == 2):
        raise TypeError(f"Layer {layer_name}: add_update expects (variable, new_value) pairs, "
                        f"got {update!r}")
    return tuple(update)


class LayerExtras:
    """Mixed into ``Layer``: updates, per-input losses and symbolic masks."""

    # ---- updates ----------------------------------------------------------------------
    def add_update(self, updates, inputs=None) -> None:
        """Register ``(variable, new_value)`` pairs to assign after this training step.

        ``inputs`` (the Tensors they depend on) files them for ``get_updates_for``;
        ``None`` marks them unconditional.
        """
        if updates is None:
            return
        pairs = [_check_update(u, self.name) for u in to_list(updates)]
        key = object_list_uid(inputs) if inputs is not None else None
        self.__dict__.setdefault("_per_input_updates", {}).setdefault(key, []).extend(pairs)
        self.__dict__.setdefault("_pass_updates", []).extend(pairs)

    def get_updates_for(self, inputs) -> list:
        """The updates added with exactly these ``inputs`` (``None``: unconditional ones)."""
        key = object_list_uid(inputs) if inputs is not None else None
        return list(self.__dict__.get("_per_input_updates", {}).get(key, []))

    @property
    def updates(self) -> list:
        """Pairs assigned in ``self.updates = [...]`` plus those of ``add_update`` this pass."""
        return list(self.__dict__.get("_assigned_updates", [])) + \
            list(self.__dict__.get("_pass_updates", []))

    @updates.setter
    def updates(self, value) -> None:
        self._assigned_updates = list(value)

    # ---- losses -----------------------------------------------------------------------
    def add_loss(self, losses, inputs=None) -> None:
        """Add penalty Tensors to ``self.losses`` for this pass (``inputs``: as add_update)."""
        if losses is None:
            return
        losses = to_list(losses)
        key = object_list_uid(inputs) if inputs is not None else None
        self.__dict__.setdefault("_per_input_losses", {}).setdefault(key, []).extend(losses)
        self._activity_losses.extend(losses)

    def get_losses_for(self, inputs) -> list:
        """Losses added with these ``inputs``; ``None``: weight penalties and unconditional."""
        key = object_list_uid(inputs) if inputs is not None else None
        added = list(self.__dict__.get("_per_input_losses", {}).get(key, []))
        if inputs is None:
            return [reg(w) for w, reg in self._regularized] + added
        return added

    def reset_activity_losses(self) -> None:
        """Start a new pass: forget the previous pass's added losses and updates."""
        self._activity_losses = []
        self._pass_updates = []
        self._per_input_updates = {}
        self._per_input_losses = {}

    # ---- masks ------------------------------------------------------------------------
    def _record_symbolic_masks(self, inputs: list, outputs: list) -> None:
        """Give each output KerasTensor its ``_keras_mask``: None or a mask KerasTensor."""
        in_masks = [getattr(t, "_keras_mask", None) for t in inputs]
        x = inputs[0] if len(inputs) == 1 else inputs
        mask = in_masks[0] if len(in_masks) == 1 else in_masks
        if all(m is None for m in in_masks):
            mask = None
        try:
            out_mask = self.compute_mask(x, mask)
        except Exception:  # noqa: BLE001 - a compute_mask written for values only: unknown
            out_mask = object()
        out_masks = out_mask if isinstance(out_mask, list) else [out_mask] * len(outputs)
        for t, m in zip(outputs, out_masks):
            if m is None or any(m is given for given in in_masks):
                t._keras_mask = m
            else:  # a mask this layer makes: its value comes from running the graph
                t._keras_mask = type(t)(t.shape[:-1], dtype="bool", name=f"{t.name}_mask",
                                        history=t._keras_history)
                t._keras_mask._mask_of = t

    def _mask_at(self, node_index: int, attr: str, what: str):
        tensors = to_list(self._node_attr(node_index, attr, what))
        masks = [getattr(t, "_keras_mask", None) for t in tensors]
        return masks[0] if len(masks) == 1 else masks

    def get_input_mask_at(self, node_index: int):
        """The mask Keras tensor(s) reaching this layer's call ``node_index`` (or None)."""
        return self._mask_at(node_index, "input_tensors", "input mask")

    def get_output_mask_at(self, node_index: int):
        """The mask Keras tensor(s) this layer's call ``node_index`` gives (or None)."""
        return self._mask_at(node_index, "output_tensors", "output mask")

    @property
    def input_mask(self):
        """The input mask of a layer called once (a mask Keras tensor, or None)."""
        self._single_node_attr("input_tensors", "input mask")
        return self.get_input_mask_at(0)

    @property
    def output_mask(self):
        """The output mask of a layer called once (a mask Keras tensor, or None)."""
        self._single_node_attr("output_tensors", "output mask")
        return self.get_output_mask_at(0)
