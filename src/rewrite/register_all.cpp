// The one list of rewrite groups. A new group adds its registration call here.
#include <mutex>

#include "theon/rewrite/groups.hpp"

namespace theon {

void ensure_rewrites_registered() {
  static std::once_flag once;
  std::call_once(once, [] {
    RewriteDB& db = RewriteDB::global();
    register_basic_rewrites(db);
    register_canonicalize_rewrites(db);
    register_stabilize_rewrites(db);
    register_specialize_rewrites(db);
    register_shape_rewrites(db);
    register_blas_rewrites(db);
    register_fusion_rewrites(db);
    register_inplace_rewrites(db);
  });
}

}  // namespace theon
