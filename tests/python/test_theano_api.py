"""Theano's API spellings where Theon's differ (issue 19, item 2), through `import theano`."""

import io
import warnings

import numpy as np
import pytest

import theon
import theon.theano_alias

theon.theano_alias.enable()

import theano  # noqa: E402
import theano.tensor as T  # noqa: E402


# ---- TensorType with Theano's broadcastable pattern ---------------------------------------

def test_tensortype_reads_a_bool_pattern_as_broadcastable():
    t = T.TensorType("float64", (False, True))
    assert t.shape == (None, 1)
    assert t.broadcastable == (False, True)
    assert T.TensorType("float32", [np.False_, np.True_]).shape == (None, 1)
    assert T.TensorType(dtype="int32", broadcastable=(True,)).shape == (1,)
    assert T.TensorType("float64", shape=(None, 3)).shape == (None, 3)
    assert T.TensorType("float64", shape=(1, None), broadcastable=(True, False)).shape == (1, None)
    v = t("v")
    assert v.broadcastable == (False, True)
    assert v.type.broadcastable == (False, True)
    assert T.TensorType("float64", ()).shape == ()


def test_tensortype_errors_name_what_was_given():
    with pytest.raises(TypeError, match=r"mixture \(False, 1\)"):
        T.TensorType("float64", (False, 1))
    with pytest.raises(TypeError, match="disagrees with broadcastable"):
        T.TensorType("float64", shape=(1,), broadcastable=(False,))
    with pytest.raises(TypeError, match="broadcastable must hold bools"):
        T.TensorType("float64", broadcastable=(1,))
    with pytest.raises(TypeError, match="give shape"):
        T.TensorType("float64")
    with pytest.raises(TypeError, match="sizes"):
        T.TensorType("float64", (1.5,))
    with pytest.raises(ValueError, match="negative size"):
        T.TensorType("float64", (-2,))


def test_tensor_constructor_takes_the_pattern_positionally():
    x = T.tensor("float32", (False, True), name="x")
    assert x.static_shape == (None, 1) and x.name == "x"
    assert T.tensor("float64", broadcastable=(np.True_,)).static_shape == (1,)


# ---- plural constructors ------------------------------------------------------------------

def test_plural_constructors_as_theano():
    a, b = T.matrices("a", "b")
    assert (a.name, b.name, a.ndim) == ("a", "b", 2)
    three = T.dvectors(3)
    assert len(three) == 3 and all(v.name is None and v.dtype == "float64" for v in three)
    p, t = T.matrices("pt")
    assert (p.name, t.name) == ("p", "t")
    single = T.iscalars("k")  # one letter: one variable, as Theano
    assert isinstance(single, theano.Variable) and single.name == "k"
    assert single.dtype == "int32"


# ---- symbolic shapes ----------------------------------------------------------------------

def test_unpacking_a_symbolic_shape():
    x = T.matrix("x")
    rows, cols = x.shape
    f = theano.function([x], [rows, cols])
    assert [int(v) for v in f(np.zeros((3, 5)))] == [3, 5]
    with pytest.raises(TypeError, match="cannot be iterated"):
        iter(T.vector("v"))
    with pytest.raises(TypeError, match="cannot be iterated"):
        a, b = T.scalar("s")


def test_shape_index_beyond_ndim_builds_and_raises_when_computed():
    x = T.matrix("x")
    s5 = x.shape[5]  # builds, as in Theano
    assert s5.ndim == 0
    f = theano.function([x], s5)
    with pytest.raises(IndexError, match="index 5 is out of bounds for axis 0 with size 2"):
        f(np.zeros((2, 2)))


def test_indexing_with_a_list_of_slices():
    x = T.matrix("x")
    a = np.arange(12.0).reshape(3, 4)
    f = theano.function([x], x[[slice(0, 2), slice(1, 3)]])
    np.testing.assert_array_equal(f(a), a[0:2, 1:3])


# ---- gradient names in theano.tensor ------------------------------------------------------

def test_gradient_functions_in_theano_tensor():
    x = T.dscalar("x")
    y = x ** 2
    gy = T.grad(y, x)
    assert theano.function([x], gy)(4.0) == pytest.approx(8.0)
    v = T.dvector("v")
    J = T.jacobian(v ** 2, v)
    np.testing.assert_allclose(theano.function([v], J)([1.0, 2.0]), np.diag([2.0, 4.0]))
    H = T.hessian((v ** 3).sum(), v)
    np.testing.assert_allclose(theano.function([v], H)([1.0, 2.0]), np.diag([6.0, 12.0]))
    c = T.consider_constant(x)
    assert theano.function([x], T.grad(c * x, x))(3.0) == pytest.approx(3.0)
    T.verify_grad(lambda a: T.tanh(a).sum(), [np.array([0.1, -0.3])],
                  rng=np.random.RandomState(0))
    assert T.Rop is theano.gradient.Rop and T.Lop is theano.gradient.Lop


# ---- broadcast pattern helpers ------------------------------------------------------------

def test_shape_pad_helpers():
    x = T.matrix("x")
    assert T.shape_padleft(x).broadcastable == (True, False, False)
    assert T.shape_padleft(x, 2).ndim == 4
    assert T.shape_padright(x).broadcastable == (False, False, True)
    assert T.shape_padaxis(x, 1).broadcastable == (False, True, False)
    assert T.shape_padaxis(x, -1).broadcastable == (False, False, True)
    with pytest.raises(IndexError, match="shape_padaxis"):
        T.shape_padaxis(x, 4)
    a = np.ones((2, 3))
    assert theano.function([x], T.shape_padaxis(x, 1))(a).shape == (2, 1, 3)


def test_addbroadcast_unbroadcast_patternbroadcast():
    x = T.matrix("x")
    xb = T.addbroadcast(x, 0)
    assert xb.broadcastable == (True, False)
    np.testing.assert_array_equal(theano.function([x], xb)(np.ones((1, 3))), np.ones((1, 3)))
    with pytest.raises(ValueError, match="SpecifyShape"):
        theano.function([x], xb)(np.ones((2, 3)))
    r = T.row("r")
    u = T.unbroadcast(r, 0)
    assert u.broadcastable == (False, False)
    assert T.unbroadcast(x, 0) is x  # nothing to forget
    np.testing.assert_array_equal(theano.function([r], u)(np.ones((1, 2))), np.ones((1, 2)))
    p = T.patternbroadcast(r, (False, True))
    assert p.broadcastable == (False, True)
    # The gradient through unbroadcast has the input's type again.
    g = T.grad((u * 3).sum(), r)
    assert g.broadcastable == (True, False)
    np.testing.assert_array_equal(theano.function([r], g)(np.ones((1, 2))), [[3.0, 3.0]])


# ---- graph utilities and classes ----------------------------------------------------------

def test_clone_with_replacements():
    x, y = T.dscalars("x", "y")
    z = x * 2 + 1
    z2 = theano.clone(z, replace={x: y})
    assert theano.function([y], z2)(3.0) == pytest.approx(7.0)
    both = theano.clone([z, x + 1], replace=[(x, y * 10)])
    assert [float(v) for v in theano.function([y], both)(1.0)] == [21.0, 11.0]


def test_graph_walks():
    from theano.gof import graph

    x, y = T.dvectors("x", "y")
    c = T.constant(2.0)
    z = (x + y) * c
    assert {v.name for v in graph.inputs([z]) if v.name} == {"x", "y"}
    assert any(v is c for v in graph.inputs([z]))
    anc = graph.ancestors([z])
    assert anc[0] is z and any(v is x for v in anc)
    nodes = graph.io_toposort([x, y], [z])
    assert [n.op_type for n in nodes] == ["Elemwise", "Elemwise"]
    assert nodes[1].outputs[0] is z
    assert theano.graph.inputs is graph.inputs


def test_same_graph_and_equal_computations():
    x, y = T.dvectors("x", "y")
    a = T.exp(x) + 1
    b = T.exp(x) + 1
    assert a is not b
    assert T.opt is not None
    from theano.gof.graph import equal_computations, is_same_graph

    assert is_same_graph(a, b)
    assert not is_same_graph(a, T.exp(y) + 1)
    assert is_same_graph(a, T.exp(y) + 1, givens={x: y})
    assert equal_computations([a, x], [b, x])
    assert not equal_computations([a], [T.exp(x) + 2])
    assert not equal_computations([a], [b, b])


def test_variable_classes_are_isinstance_able():
    x = T.dmatrix("x")
    c = T.constant(np.ones(2))
    s = theano.shared(np.zeros(3), "s")
    assert isinstance(x, T.TensorVariable) and isinstance(x, theano.Variable)
    assert isinstance(c, T.TensorConstant) and not isinstance(c, T.TensorVariable)
    assert isinstance(s, theano.compile.SharedVariable)
    assert isinstance(s, T.TensorSharedVariable) and not isinstance(x, T.TensorSharedVariable)
    assert not isinstance(3, theano.Variable)
    assert isinstance((x + 1).owner, theano.Apply)
    v = theano.Variable(T.TensorType("float32", (False,)), name="v")
    assert v.dtype == "float32" and v.broadcastable == (False,) and v.name == "v"
    assert theano.tensor.as_tensor is T.as_tensor_variable
    assert T.cast(x, "float32").dtype == "float32"


# ---- theano.config ------------------------------------------------------------------------

def test_config_flags_with_theano_names():
    cfg = theano.config
    with cfg.change_flags(floatX="float32"):
        assert theon.config.floatX == "float32"
        assert T.matrix().dtype == "float32"
    assert cfg.floatX == "float64"
    with cfg.change_flags(mode="FAST_COMPILE"):
        assert theon.config.mode == "FAST_COMPILE"
    with cfg.change_flags(optimizer="None"):
        assert theon.config.mode == "NONE" and cfg.optimizer == "None"
    with cfg.change_flags(compute_test_value="off", exception_verbosity="high", profile=False):
        assert theon.config.exception_verbosity == "high"
    default = theon.config.cxxflags
    with cfg.change_flags(gcc__cxxflags="-DTHEON_EXTRA=1"):
        assert theon.config.cxxflags == default + " -DTHEON_EXTRA=1"  # added to the defaults
        assert cfg.gcc__cxxflags == "-DTHEON_EXTRA=1"
    assert theon.config.cxxflags == default
    assert cfg.device == "cpu"
    assert cfg.compiledir == theon.config.compiledir
    assert cfg.base_compiledir == theon.config.compiledir
    with pytest.raises(ValueError, match="optimizer"):
        cfg.optimizer = "bogus"
    with pytest.raises(AttributeError, match="no flag"):
        cfg.no_such_flag


def test_config_flags_of_theanos_internals_warn():
    cfg = theano.config
    for name, value in [("blas__ldflags", "-lblas"), ("on_opt_error", "raise"),
                        ("cast_policy", "custom"), ("linker", "cvm"), ("allow_gc", False)]:
        with pytest.warns(UserWarning, match=name.split("__")[0]):
            setattr(cfg, name, value)


def test_warn_float64():
    cfg = theano.config
    with cfg.change_flags(warn_float64="raise"):
        with pytest.raises(TypeError, match="float64"):
            T.dvector("d")
        f = T.fvector("f")
        with pytest.raises(TypeError, match="float64"):
            f * np.float64(2.0)
        f * 2  # a weak Python scalar keeps float32
    with cfg.change_flags(warn_float64="warn"):
        with pytest.warns(UserWarning, match="float64"):
            T.dmatrix()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        T.dmatrix()  # 'ignore' by default


def test_theano_flags_environment_text():
    from theano.configparser import TheanoConfig, _apply_theano_flags

    cfg = TheanoConfig()
    try:
        _apply_theano_flags(cfg, "floatX=float32, optimizer=fast_compile")
        assert theon.config.floatX == "float32" and theon.config.mode == "FAST_COMPILE"
    finally:
        theon.config.floatX = "float64"
        theon.config.mode = "FAST_RUN"
    with pytest.raises(ValueError, match="name=value"):
        _apply_theano_flags(cfg, "floatX")


# ---- ProfileStats.summary -----------------------------------------------------------------

def test_profile_summary_with_theanos_signature(capsys):
    x = T.dvector("x")
    f = theano.function([x], [T.exp(x) + T.log(x) * 2, T.sin(x)], profile=True, mode="NONE")
    f(np.ones(3))
    p = f.profile
    assert isinstance(p, theano.compile.ProfileStats)
    buf = io.StringIO()
    p.summary(file=buf, n_ops_to_print=1, n_apply_to_print=2)
    text = buf.getvalue()
    assert "Per op type" in text
    per_node = text.split("Per node:")[1]
    assert "more (" in per_node  # the nodes not printed, counted
    assert per_node.count("Elemwise{") == 2
    p.summary()
    assert "Per node" in capsys.readouterr().err  # sys.stderr by default, as Theano


def test_modes_through_theano_compile():
    from theano.compile.debugmode import DebugMode
    from theano.compile.mode import get_default_mode, get_mode

    x = T.dvector("x")
    f = theano.function([x], T.exp(x) * 2, mode=DebugMode(check_py_code=False))
    np.testing.assert_allclose(f(np.zeros(2)), [2.0, 2.0])
    assert get_mode("FAST_COMPILE").optimizer == "FAST_COMPILE"
    assert get_default_mode().optimizer == theon.config.mode
    assert isinstance(theano.compile.mode.FAST_RUN, theano.Mode)


def test_function_copy_checks_the_swap():
    s = theano.shared(0.0, "s")
    t = theano.shared(np.zeros(2), "t")
    x = T.dscalar("x")
    f = theano.function([x], s + x, updates=[(s, s + x)])
    with pytest.raises(TypeError, match="cannot swap s"):
        f.copy(swap={s: t})
    with pytest.raises(TypeError, match="shared variables"):
        f.copy(swap={s: x})
    g = f.copy(name="g")
    assert g.name == "g" and float(g(2.0)) == 2.0 and s.get_value() == 2.0


def test_mode_takes_theanos_linker_and_optimizer_names():
    x = T.dvector("x")
    for mode in (theano.Mode(linker="vm"), theano.Mode(linker="c|py", optimizer="fast_compile"),
                 theano.Mode(optimizer="fast_run"), theano.Mode(optimizer="None")):
        np.testing.assert_array_equal(theano.function([x], x * 2, mode=mode)([1.0]), [2.0])
    assert theano.Mode(optimizer="fast_compile").optimizer == "FAST_COMPILE"
    with pytest.raises(ValueError, match="unknown linker 'cuda'"):
        theano.Mode(linker="cuda")


def test_function_maker_fgraph_and_get_shared():
    x = T.dvector("x")
    w = theano.shared(np.ones(2), "w")
    f = theano.function([x], T.exp(x) * w, updates=[(w, w * 2)])
    fg = f.maker.fgraph
    assert fg.inputs[0] is x and fg.inputs[-1] is w
    assert len(fg.outputs) == 2  # the output and w's update
    nodes = fg.toposort()
    assert nodes and all(n.outputs for n in nodes)
    for node in nodes:  # each node after those computing its inputs
        for i in node.inputs:
            assert i.owner is None or nodes.index(i.owner) < nodes.index(node)
    assert fg.apply_nodes == set(nodes)
    assert "exp" in theano.printing.debugprint(fg.outputs[0], file="str")
    assert f.maker.inputs == [x]
    assert f.get_shared() == [w]
    assert theano.function([x], x * 2).get_shared() == []


def test_tensortype_filter_and_value_zeros():
    t = T.TensorType("float32", (False, True))
    a = t.filter([[1], [2]], allow_downcast=True)
    assert a.dtype == np.float32 and a.shape == (2, 1)
    assert t.filter(np.ones((3, 1), dtype=np.float16)).dtype == np.float32  # safe widening
    with pytest.raises(TypeError, match="loss of precision"):
        t.filter(np.ones((2, 1)))
    with pytest.raises(TypeError, match="strict"):
        t.filter(np.ones((2, 1)), strict=True)
    with pytest.raises(TypeError, match=r"expected shape \(None, 1\)"):
        t.filter(np.ones((2, 2), dtype=np.float32))
    z = T.TensorType("int8", (False,)).value_zeros((4,))
    assert z.dtype == np.int8 and z.tolist() == [0, 0, 0, 0]


def test_compile_function_module():
    from theano.compile.function_module import Function, FunctionMaker, orig_function

    x = T.dvector("x")
    f = orig_function([x], x * 2)
    assert isinstance(f, Function) and isinstance(f.maker, FunctionMaker)
