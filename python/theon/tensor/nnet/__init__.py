"""theon.tensor.nnet: activations, softmax, losses and convolution (C++ in src/ops/nnet/).

The elementwise functions are stable for large inputs (sigmoid(-1000) == 0, softplus(1000) ==
1000); softmax and log_softmax subtract the maximum along the axis before exponentiating.
conv2d and its gradients are in theon.tensor.nnet.abstract_conv, batch normalization in
theon.tensor.nnet.bn (both also here, as in Theano).
"""

from theon.tensor._build import Variable, as_tensor_variable, build, build_elemwise
from theon.tensor.nnet import bn, ctc, neighbours  # noqa: F401
from theon.tensor.nnet.conv3d import conv3d
from theon.tensor.nnet.abstract_conv import (conv2d, conv2d_grad_wrt_inputs,
                                             conv2d_grad_wrt_weights, separable_conv2d)

__all__ = [
    "sigmoid", "softplus", "relu", "softmax", "log_softmax", "logsoftmax", "hard_sigmoid",
    "ultra_fast_sigmoid", "categorical_crossentropy", "crossentropy_softmax_argmax_1hot_with_bias",
    "crossentropy_softmax_1hot_with_bias", "crossentropy_softmax_1hot",
    "crossentropy_softmax_1hot_with_bias_dx", "conv2d", "conv2d_grad_wrt_inputs",
    "conv2d_grad_wrt_weights", "separable_conv2d", "conv3d", "binary_crossentropy",
    "sigmoid_binary_crossentropy", "elu", "selu", "softsign", "softmax_with_bias", "to_one_hot",
    "confusion_matrix", "h_softmax",
]


def sigmoid(x):
    """The logistic function ``1 / (1 + exp(-x))``, elementwise.

    Parameters
    ----------
    x : Variable or array_like
        The input.

    Returns
    -------
    Variable
        Of the shape of ``x``; stable for large inputs (sigmoid(-1000) is 0).

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.nnet.sigmoid(x))([-1000., 0., 2.])
    array([0.        , 0.5       , 0.88079708])
    """
    return build_elemwise("sigmoid", x)


def ultra_fast_sigmoid(x):
    """Theano's fast approximation of sigmoid; here the exact (and equally fast) sigmoid.

    Parameters
    ----------
    x : Variable or array_like
        The input.

    Returns
    -------
    Variable
        Of the shape of ``x``.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.nnet.ultra_fast_sigmoid(x))([0.])
    array([0.5])
    """
    return build_elemwise("sigmoid", x)


def hard_sigmoid(x):
    """Theano's piecewise-linear sigmoid: ``clip(0.2 * x + 0.5, 0, 1)``.

    Parameters
    ----------
    x : Variable or array_like
        The input.

    Returns
    -------
    Variable
        Of the shape of ``x``.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.nnet.hard_sigmoid(x))([-5., 0., 1., 5.])
    array([0. , 0.5, 0.7, 1. ])
    """
    return build_elemwise("hard_sigmoid", x)


def softplus(x):
    """``log(1 + exp(x))``, elementwise, stable for large inputs.

    Parameters
    ----------
    x : Variable or array_like
        The input.

    Returns
    -------
    Variable
        Of the shape of ``x``.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.nnet.softplus(x))([0., 1000.])
    array([6.93147181e-01, 1.00000000e+03])
    """
    return build_elemwise("softplus", x)


def relu(x, alpha=0):
    """The rectifier ``maximum(x, 0)``; with ``alpha``, ``where(x > 0, x, alpha * x)``.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    alpha : number or scalar Variable
        The slope for negative x (leaky ReLU).

    Returns
    -------
    Variable
        Of the shape of ``x``.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], [T.nnet.relu(x), T.nnet.relu(x, 0.1)])([-2., 3.])
    [array([0., 3.]), array([-0.2,  3. ])]
    """
    if isinstance(alpha, (bool, int, float)) and not isinstance(alpha, Variable):
        if alpha == 0:
            return build_elemwise("relu", x)
        return build_elemwise("leaky_relu", x, alpha)
    return build_elemwise("leaky_relu", x, alpha)


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x), axis)``, computed stably.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    axis : int or None
        The axis normalized; None normalizes over all elements.

    Returns
    -------
    Variable
        Of the shape of ``x``.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.nnet.softmax(x))([[0., np.log(3.)]])
    array([[0.25, 0.75]])
    """
    return build("softmax", x, axis=axis)


def log_softmax(x, axis=-1):
    """``x - log(sum(exp(x), axis))``, computed stably.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    axis : int or None
        The axis normalized; None normalizes over all elements.

    Returns
    -------
    Variable
        Of the shape of ``x``.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.exp(T.nnet.log_softmax(x)))([[0., np.log(3.)]])
    array([[0.25, 0.75]])
    """
    return build("log_softmax", x, axis=axis)


def categorical_crossentropy(coding_dist, true_dist):
    """Theano's categorical cross-entropy of each row.

    Parameters
    ----------
    coding_dist : matrix Variable
        Predicted probabilities, one row per example.
    true_dist : int vector or matrix Variable
        Integer labels: ``-log(coding_dist[arange(n), true_dist])``; a distribution:
        ``-sum(true_dist * log(coding_dist), axis=-1)``.

    Returns
    -------
    Variable
        A vector, one loss per row. Over a softmax, the compiled form is the fused, stable
        cross-entropy op.

    Examples
    --------
    >>> p, y = T.dmatrix('p'), T.lvector('y')
    >>> f = theon.function([p, y], T.nnet.categorical_crossentropy(p, y))
    >>> f([[0.5, 0.5], [0.1, 0.9]], [0, 1])
    array([0.69314718, 0.10536052])
    """
    return build("categorical_crossentropy", coding_dist, true_dist)


def crossentropy_softmax_argmax_1hot_with_bias(x, b, y_idx):
    """The fused op: negative log-likelihood, softmax and argmax of ``x + b``, computed stably.

    Parameters
    ----------
    x : matrix Variable
        Scores, one row per example.
    b : vector Variable
        A bias added to each row.
    y_idx : int vector Variable
        The label of each row.

    Returns
    -------
    list of Variable
        ``[nll, softmax(x + b), argmax(x + b, axis=1)]`` with ``nll[i] = -log(softmax(x + b)[i,
        y_idx[i]])``.

    Examples
    --------
    >>> x, b, y = T.dmatrix('x'), T.dvector('b'), T.lvector('y')
    >>> nll, sm, am = T.nnet.crossentropy_softmax_argmax_1hot_with_bias(x, b, y)
    >>> theon.function([x, b, y], [nll, am])([[0., np.log(3.)]], [0., 0.], [1])
    [array([0.28768207]), array([1])]
    """
    return build("crossentropy_softmax_argmax_1hot_with_bias", x, b, y_idx)


def crossentropy_softmax_1hot_with_bias(x, b, y_idx):
    """The negative log-likelihood and softmax of ``x + b`` (the fused op's first two outputs).

    Parameters
    ----------
    x : matrix Variable
        Scores, one row per example.
    b : vector Variable
        A bias added to each row.
    y_idx : int vector Variable
        The label of each row.

    Returns
    -------
    list of Variable
        ``[nll, softmax(x + b)]``.

    Examples
    --------
    >>> x, b, y = T.dmatrix('x'), T.dvector('b'), T.lvector('y')
    >>> nll, sm = T.nnet.crossentropy_softmax_1hot_with_bias(x, b, y)
    >>> theon.function([x, b, y], nll)([[0., np.log(3.)]], [0., 0.], [0])
    array([1.38629436])
    """
    return crossentropy_softmax_argmax_1hot_with_bias(x, b, y_idx)[:2]


def crossentropy_softmax_1hot(x, y_idx):
    """The negative log-likelihood and softmax of ``x`` (the fused op with a zero bias).

    Parameters
    ----------
    x : matrix Variable
        Scores, one row per example.
    y_idx : int vector Variable
        The label of each row.

    Returns
    -------
    list of Variable
        ``[nll, softmax(x)]``.

    Examples
    --------
    >>> x, y = T.dmatrix('x'), T.lvector('y')
    >>> nll, sm = T.nnet.crossentropy_softmax_1hot(x, y)
    >>> theon.function([x, y], sm)([[0., np.log(3.)]], [0])
    array([[0.25, 0.75]])
    """
    return build("crossentropy_softmax_argmax_1hot_with_bias", x, y_idx)[:2]


def crossentropy_softmax_1hot_with_bias_dx(dy, sm, y_idx):
    """The fused gradient ``dy[:, None] * (sm - onehot(y_idx))``.

    Parameters
    ----------
    dy : vector Variable
        The gradient of each row's loss.
    sm : matrix Variable
        The softmax.
    y_idx : int vector Variable
        The label of each row.

    Returns
    -------
    Variable
        The gradient with respect to the scores, of the shape of ``sm``.

    Examples
    --------
    >>> dy, sm, y = T.dvector('dy'), T.dmatrix('sm'), T.lvector('y')
    >>> f = theon.function([dy, sm, y], T.nnet.crossentropy_softmax_1hot_with_bias_dx(dy, sm, y))
    >>> f([1.], [[0.25, 0.75]], [1])
    array([[ 0.25, -0.25]])
    """
    return build("crossentropy_softmax_1hot_with_bias_dx", dy, sm, y_idx)


logsoftmax = log_softmax


def softmax_with_bias(x, b):
    """``softmax(x + b)`` along the last axis.

    Parameters
    ----------
    x : Variable or array_like
        Scores (in Theano, a matrix with one row per example).
    b : Variable or array_like
        A bias broadcast against ``x`` (in Theano, a vector added to each row).

    Returns
    -------
    Variable
        Of the shape of ``x + b``.

    Examples
    --------
    >>> x, b = T.dmatrix('x'), T.dvector('b')
    >>> theon.function([x, b], T.nnet.softmax_with_bias(x, b))([[0., 0.]], [0., np.log(3.)])
    array([[0.25, 0.75]])
    """
    return softmax(as_tensor_variable(x) + b, axis=-1)


def binary_crossentropy(output, target):
    """``-(target * log(output) + (1 - target) * log(1 - output))``, elementwise.

    Parameters
    ----------
    output : Variable or array_like
        Predicted probabilities, in [0, 1].
    target : Variable or array_like
        Target probabilities (usually 0 or 1), broadcast against ``output``.

    Returns
    -------
    Variable
        The loss of each element. Over ``sigmoid(x)`` the stabilize rewrites turn both logs
        into softplus of ``x``, so the compiled loss and its gradient stay finite for any
        logits.

    Examples
    --------
    >>> p, t = T.dvector('p'), T.dvector('t')
    >>> theon.function([p, t], T.nnet.binary_crossentropy(p, t))([0.5, 0.9], [1., 1.])
    array([0.69314718, 0.10536052])
    """
    from theon import tensor as T

    return -(target * T.log(output) + (1.0 - target) * T.log(1.0 - output))


def sigmoid_binary_crossentropy(output, target):
    """``binary_crossentropy(sigmoid(output), target)`` for logits ``output``, computed stably.

    Parameters
    ----------
    output : Variable or array_like
        Logits (scores before the sigmoid).
    target : Variable or array_like
        Target probabilities (usually 0 or 1), broadcast against ``output``.

    Returns
    -------
    Variable
        ``softplus(output) - target * output``, the loss of each element; finite for any
        logits.

    Examples
    --------
    >>> x, t = T.dvector('x'), T.dvector('t')
    >>> theon.function([x, t], T.nnet.sigmoid_binary_crossentropy(x, t))([0., 1000.], [1., 1.])
    array([0.69314718, 0.        ])
    """
    return softplus(output) - target * output


def elu(x, alpha=1):
    """The exponential linear unit: ``x`` where ``x > 0``, ``alpha * (exp(x) - 1)`` elsewhere.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    alpha : number or scalar Variable
        The scale of the negative part.

    Returns
    -------
    Variable
        Of the shape of ``x``.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.nnet.elu(x))([-1., 0., 2.])
    array([-0.63212056,  0.        ,  2.        ])
    """
    from theon import tensor as T

    x = as_tensor_variable(x)
    return T.switch(T.gt(x, 0), x, alpha * T.expm1(x))


def selu(x):
    """The scaled ELU of Klambauer et al. (2017): ``scale * elu(x, alpha)``.

    ``alpha`` is about 1.6733 and ``scale`` about 1.0507, the constants of the paper.

    Parameters
    ----------
    x : Variable or array_like
        The input.

    Returns
    -------
    Variable
        Of the shape of ``x``.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.nnet.selu(x))([-1., 0., 2.])
    array([-1.11133074,  0.        ,  2.10140197])
    """
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return scale * elu(x, alpha)


def softsign(x):
    """``x / (1 + abs(x))``, elementwise.

    Parameters
    ----------
    x : Variable or array_like
        The input.

    Returns
    -------
    Variable
        Of the shape of ``x``, in (-1, 1).

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.nnet.softsign(x))([-3., 0., 1.])
    array([-0.75,  0.  ,  0.5 ])
    """
    from theon import tensor as T

    return x / (1.0 + T.abs(x))


def to_one_hot(y, nb_class, dtype=None):
    """The one-hot encoding of integer labels (theon.tensor.extra_ops.to_one_hot).

    Parameters
    ----------
    y : int vector Variable or array_like
        The labels, in [0, nb_class).
    nb_class : int
        The number of classes.
    dtype : str or None
        The dtype of the result; None means ``theon.config.floatX``.

    Returns
    -------
    Variable
        A ``(len(y), nb_class)`` matrix with 1 at ``(i, y[i])`` and 0 elsewhere.

    Examples
    --------
    >>> y = T.lvector('y')
    >>> theon.function([y], T.nnet.to_one_hot(y, 3))([0, 2])
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    from theon.tensor.extra_ops import to_one_hot as one_hot

    return one_hot(y, nb_class, dtype)


def confusion_matrix(actual, pred):
    """Theano's confusion matrix of predicted against actual labels.

    Parameters
    ----------
    actual : vector Variable or array_like
        The true label of each sample.
    pred : vector Variable or array_like
        The predicted label of each sample.

    Returns
    -------
    list of Variable
        ``[conf_mat, order]``: ``order`` the sorted labels seen in ``actual`` or ``pred``, and
        ``conf_mat[i, j]`` (int64) the count of samples labelled ``order[i]`` and predicted
        ``order[j]``.

    Examples
    --------
    >>> a, p = T.lvector('a'), T.lvector('p')
    >>> theon.function([a, p], T.nnet.confusion_matrix(a, p))([0, 1, 1], [0, 1, 0])
    [array([[1, 0],
           [1, 1]]), array([0, 1])]
    """
    from theon.tensor import concatenate, dot, eq
    from theon.tensor.extra_ops import unique

    actual, pred = as_tensor_variable(actual), as_tensor_variable(pred)
    if actual.ndim != 1 or pred.ndim != 1:
        raise ValueError(f"confusion_matrix: expected vectors, got {actual.type} and {pred.type}")
    order = unique(concatenate([actual, pred]))
    one_hot_actual = eq(actual.dimshuffle(0, "x"), order).astype("int64")
    one_hot_pred = eq(pred.dimshuffle(0, "x"), order).astype("int64")
    return [dot(one_hot_actual.T, one_hot_pred), order]


def h_softmax(x, batch_size, n_outputs, n_classes, n_outputs_per_class, W1, b1, W2, b2,
              target=None):
    """Theano's two-level hierarchical softmax.

    ``p(output | x) = p(class | x) * p(output | class, x)``, the ``n_outputs`` outputs split
    into ``n_classes`` classes of ``n_outputs_per_class`` (output ``o`` in class
    ``o // n_outputs_per_class``).

    Parameters
    ----------
    x : matrix Variable
        The inputs, ``(batch_size, n_in)``.
    batch_size : int or scalar Variable
        The number of rows of ``x``.
    n_outputs : int
        The number of outputs.
    n_classes : int
        The number of classes.
    n_outputs_per_class : int
        The outputs of each class (``n_classes * n_outputs_per_class >= n_outputs``).
    W1 : matrix Variable
        The class softmax's weights, ``(n_in, n_classes)``.
    b1 : vector Variable
        The class softmax's bias, ``(n_classes,)``.
    W2 : 3-d Variable
        Each class's output softmax weights, ``(n_classes, n_in, n_outputs_per_class)``.
    b2 : matrix Variable
        Each class's output softmax bias, ``(n_classes, n_outputs_per_class)``.
    target : int vector Variable or None
        One output per row of ``x``; only their probabilities are computed (one class's
        outputs per sample).

    Returns
    -------
    Variable
        Without ``target``, every output's probability, ``(batch_size, n_outputs)``; with it,
        the probability of each row's target, ``(batch_size,)``.

    Examples
    --------
    >>> x, W1, b1 = T.dmatrix('x'), T.dmatrix('W1'), T.dvector('b1')
    >>> W2, b2, y = T.dtensor3('W2'), T.dmatrix('b2'), T.lvector('y')
    >>> every = T.nnet.h_softmax(x, 2, 3, 2, 2, W1, b1, W2, b2)
    >>> chosen = T.nnet.h_softmax(x, 2, 3, 2, 2, W1, b1, W2, b2, target=y)
    >>> f = theon.function([x, W1, b1, W2, b2, y], [every, chosen])
    >>> f(np.ones((2, 3)), np.zeros((3, 2)), [0., np.log(3.)], np.zeros((2, 3, 2)),
    ...   np.zeros((2, 2)), [0, 2])
    [array([[0.125, 0.125, 0.375],
           [0.125, 0.125, 0.375]]), array([0.125, 0.375])]
    """
    from theon import tensor as T

    x = as_tensor_variable(x)
    class_probs = softmax(T.dot(x, W1) + b1)
    if target is None:
        activations = T.tensordot(x, W2, [[1], [1]]) + b2
        output_probs = softmax(activations.reshape([-1, n_outputs_per_class]))
        output_probs = output_probs.reshape([batch_size, n_classes, n_outputs_per_class])
        output_probs = class_probs.dimshuffle(0, 1, "x") * output_probs
        return output_probs.reshape([batch_size, n_classes * n_outputs_per_class])[:, :n_outputs]
    target = as_tensor_variable(target).flatten()
    target_classes = target // n_outputs_per_class
    in_class = target % n_outputs_per_class
    W2, b2 = as_tensor_variable(W2), as_tensor_variable(b2)
    activations = T.batched_dot(x, W2[target_classes]) + b2[target_classes]
    rows = T.arange(batch_size)
    return class_probs[rows, target_classes] * softmax(activations)[rows, in_class]
