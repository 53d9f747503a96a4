#include "theon/ops/families.hpp"

namespace theon {

void register_nnet_ops() {}

}  // namespace theon
