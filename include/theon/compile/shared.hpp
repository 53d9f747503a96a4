// Shared variables: graph variables with a value that persists across calls and that
// functions may update.
#pragma once

#include <optional>
#include <string>

#include "theon/core/ndarray.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// `value` is copied unless `borrow`. The variable's static shape is unknown in every dimension
// unless `shape` gives it (1 marks a broadcastable dimension).
Var shared(const NDArray& value, const std::string& name = "", bool borrow = false,
           std::optional<StaticShape> shape = std::nullopt);
// A shared variable of type `type` (a kind other than dense tensors, e.g. a sparse matrix)
// holding `value`, an immutable object that functions replace rather than modify.
Var shared_object(std::shared_ptr<const Object> value, const std::string& name, const Type& type);
// get_value and set_value take the value's lock (see SharedValue), so they may run while
// functions using the variable run on other threads, and never see half of a call's updates.
// A borrowed array is the stored buffer itself: writing into it is not protected.

// The current value: a copy unless `borrow`.
NDArray get_value(const Var& shared_var, bool borrow = false);
// Replaces the value; checks dtype and shape against the variable's type.
void set_value(const Var& shared_var, const NDArray& value, bool borrow = false);
// The same for shared variables holding objects; set_object checks the value against the type.
std::shared_ptr<const Object> get_object(const Var& shared_var);
void set_object(const Var& shared_var, std::shared_ptr<const Object> value);

// Theano's default_update: the value the variable takes after each call of a function that
// reads it, unless the function updates it explicitly or is compiled with no_default_updates
// (random streams advance their states this way). `update` must have the variable's type; null
// clears it.
void set_default_update(const Var& shared_var, const Var& update);
// The default update as a graph over `shared_var`, or null when it has none.
Var default_update(const Var& shared_var);

}  // namespace theon
