"""The LeNet-5 example (examples/lenet.py: conv2d, pool_2d, batch normalization with running
averages, dropout from MRG_RandomStreams): a shortened run learns the digits."""

import importlib.util
import pathlib

_PATH = pathlib.Path(__file__).resolve().parents[2] / "examples" / "lenet.py"
_spec = importlib.util.spec_from_file_location("lenet_example", _PATH)
lenet = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lenet)


def test_a_short_run_reaches_high_test_accuracy():
    X, y, Xt, yt = lenet.load_digits_28()
    assert X.shape[1:] == (1, 28, 28) and len(Xt) == 360
    accuracies = lenet.train((X, y, Xt, yt), epochs=3, log=lambda *_: None)
    assert accuracies[-1] >= 0.93, accuracies
