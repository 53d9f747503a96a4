"""theon.tensor.nnet: sigmoid, softplus, relu, softmax, log_softmax (C++ in src/ops/nnet/).

The elementwise functions are stable for large inputs (sigmoid(-1000) == 0, softplus(1000) ==
1000); softmax and log_softmax subtract the maximum along the axis before exponentiating.
"""

from theon.tensor._build import Variable, build, build_elemwise

__all__ = [
    "sigmoid", "softplus", "relu", "softmax", "log_softmax", "hard_sigmoid",
    "ultra_fast_sigmoid", "categorical_crossentropy", "crossentropy_softmax_argmax_1hot_with_bias",
    "crossentropy_softmax_1hot_with_bias", "crossentropy_softmax_1hot",
    "crossentropy_softmax_1hot_with_bias_dx",
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
