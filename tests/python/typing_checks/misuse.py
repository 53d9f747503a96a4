"""Mistakes the stubs let mypy catch: the typing test expects mypy to report each line marked
`error` below, and only those."""

import theon.tensor as T

x = T.dmatrix("x")
x.not_a_method()  # error: "Variable" has no attribute "not_a_method"
T.no_such_function(x)  # error: Module has no attribute "no_such_function"
name: int = x.name  # error: incompatible types in assignment
