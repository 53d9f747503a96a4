// Pattern rewriters written as readable text: "log(add(1, $x))" -> "log1p($x)".
//
// Syntax: name(arg, ...) is a node whose op the builder `name` makes (Elemwise scalar ops by
// their scalar name, other ops by their type name in lower case, e.g. softmax); $x binds any
// variable (a repeated $x must be the same variable); a number matches a constant of one
// element with that value. add, mul, maximum, minimum, equal and not_equal match their two
// arguments in either order. The replacement uses the same syntax and is built through the
// builder registry; its numbers take the dtype of the first variable among their siblings.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "theon/rewrite/rewriter.hpp"

namespace theon {

using Bindings = std::map<std::string, Var>;

NodeRewriter pattern_rewriter(const std::string& name, const std::string& pattern,
                              const std::string& replacement,
                              std::function<bool(const Bindings&)> where = nullptr);

// The value of a one-element constant, if `v` is one.
std::optional<double> scalar_constant_value(const Var& v);

}  // namespace theon
