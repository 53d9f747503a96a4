#include "theon/ops/families.hpp"

namespace theon {

void register_join_ops() {}

}  // namespace theon
