// The op families written before op files registered themselves, then every op file
// (register_op_files is generated from their THEON_OP_FILE lines).
#include "theon/graph/registry.hpp"
#include "theon/ops/families.hpp"

namespace theon {

void register_all_ops() {
  register_elemwise_ops();
  register_op_files();
}

}  // namespace theon
