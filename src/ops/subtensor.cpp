#include "theon/ops/families.hpp"

namespace theon {

void register_subtensor_ops() {}

}  // namespace theon
