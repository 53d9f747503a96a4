// Registration entry points of the op families (each defined in src/ops/<family>.cpp).
#pragma once

namespace theon {

void register_elemwise_ops();
void register_sort_ops();   // sort, argsort
void register_print_ops();  // print (Print: identity that prints as the function runs)

}  // namespace theon
