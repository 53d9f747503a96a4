// Registration entry points of the op families (each defined in src/ops/<family>.cpp).
#pragma once

namespace theon {

void register_elemwise_ops();

}  // namespace theon
