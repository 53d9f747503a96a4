// The rewrite groups, one registration function per file under src/rewrite/.
#pragma once

#include "theon/rewrite/rewriter.hpp"

namespace theon {

void register_basic_rewrites(RewriteDB& db);         // merge, constant folding
void register_canonicalize_rewrites(RewriteDB& db);  // algebraic simplification
void register_stabilize_rewrites(RewriteDB& db);     // numerical stability
void register_specialize_rewrites(RewriteDB& db);    // cheaper special cases
void register_shape_rewrites(RewriteDB& db);         // shapes without computing tensors
void register_blas_rewrites(RewriteDB& db);          // dot + accumulator -> gemm, gemv, ger
void register_fusion_rewrites(RewriteDB& db);        // loop fusion of elementwise trees
void register_inplace_rewrites(RewriteDB& db);       // write outputs into dead inputs' buffers

}  // namespace theon
