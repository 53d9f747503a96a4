// The rewrite rules, one list per group, defined in the file under src/rewrite/ that the comment
// names. A list says what its rules do and how modes select them (names and tags); where and
// in what order they run is src/rewrite/pipeline.cpp's business.
#pragma once

#include <vector>

#include "theon/rewrite/rewriter.hpp"

namespace theon {

std::vector<GraphRewriter> merge_rewriters();  // basic.cpp: common subexpressions
std::vector<NodeRewriter> inline_rules();      // inline.cpp: OpFromGraph(inline=True) expanded
std::vector<NodeRewriter> constant_folding_rules();  // basic.cpp
std::vector<NodeRewriter> canonicalize_rules();      // canonicalize.cpp: algebraic simplification
std::vector<NodeRewriter> stabilize_rules();         // stabilize.cpp: numerical stability
std::vector<NodeRewriter> linalg_rules();            // linalg.cpp: solves, determinants
std::vector<NodeRewriter> specialize_rules();        // specialize.cpp: cheaper special cases
std::vector<NodeRewriter> shape_rules();             // shape.cpp: shapes without computing tensors
// Rules of canonicalize.cpp and stabilize.cpp that also tidy what the shape rules build
// (make_vector(x.shape[0], ...), Shape_i and SumToShape nodes), tagged "shape" for that use.
std::vector<NodeRewriter> canonicalize_shape_cleanup_rules();
std::vector<NodeRewriter> stabilize_shape_cleanup_rules();
// device_placement.cpp: the whole graph onto config.device, transfers at the boundaries.
std::vector<GraphRewriter> device_placement_rewriters();
std::vector<NodeRewriter> blas_rules();         // blas.cpp: dot + accumulator -> gemm, gemv, ger
std::vector<GraphRewriter> fusion_rewriters();  // fusion.cpp: loops over elementwise trees
// row_reductions.cpp: reductions along rows that read each row once (before fusion).
std::vector<GraphRewriter> row_reduction_rewriters();
// draw_into_loop.cpp: a random draw read only by one fused loop made inside the loop (after
// inplace).
std::vector<GraphRewriter> draw_fusion_rewriters();
// Outputs written into the buffers of dead inputs: blas.cpp's for gemm, gemv and ger,
// inplace.cpp's for the rest.
std::vector<NodeRewriter> blas_inplace_rules();
std::vector<NodeRewriter> inplace_rules();
// scan.cpp: loop-invariant computations out of scan bodies, unused loop inputs and outputs;
// recurrent outputs of which only the last rows are read keep only those.
std::vector<NodeRewriter> scan_rules();
std::vector<GraphRewriter> scan_graph_rewriters();
// ifelse.cpp: constant conditions, lifting elementwise ops into branches, merging ifelses.
std::vector<NodeRewriter> ifelse_rules();
std::vector<GraphRewriter> ifelse_graph_rewriters();

}  // namespace theon
