// Print: an identity op that prints a message and its input's value (or attributes) each time
// the function runs. Its output is a view of its input; its gradient passes through.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "theon/graph/variable.hpp"

namespace theon {

// attrs: "value" prints the array, "shape", "dtype", "ndim", "size", "min", "max", "sum"
// print those. An empty list means {"value"}. Unknown names raise ValueError.
Var print(const Var& x, const std::string& message, std::vector<std::string> attrs = {});

// Where Print's lines go: the process's stdout unless replaced (the Python module sends them to
// sys.stdout, so notebooks and redirections see them). Set it before functions run; a null
// sink restores stdout.
using PrintSink = std::function<void(const std::string& line)>;
void set_print_sink(PrintSink sink);

}  // namespace theon
