"""kept.py: no lent array is handed out twice while any view of it is in use."""
import numpy as np

from tinygrad_keras.autodiff.ops.kept import Spare


def test_no_view_of_a_lent_array_however_derived_lets_it_be_lent_again():
    spare = Spare()
    for derive in (lambda a: a.T, lambda a: a.reshape(-1)[2:], lambda a: a.view(np.int32),
                   lambda a: a[None, ::2].transpose(2, 0, 1), lambda a: np.asarray(a)[1]):
        first = spare.lend((4, 6), np.float32)
        first[...] = 1.0
        view = derive(first)
        del first
        second = spare.lend((4, 6), np.float32)
        assert not np.shares_memory(second, view)  # made afresh: the first is in use
        second[...] = 2.0
        assert (view.view(np.float32) == 1.0).all()
        del view, second
    third = spare.lend((4, 6), np.float32)
    assert any(np.shares_memory(third, a) for kind in spare.lent.values() for a in kind)
