#include "theon/ops/families.hpp"

namespace theon {

void register_alloc_ops() {}

}  // namespace theon
