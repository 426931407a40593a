// tapenet core: the one place that calls BLAS (bench/bench.cpp also does, to measure it alone).
// Row-major single-precision GEMM,
//   C = alpha * op(A) @ op(B) + beta * C,   op(X) = X or Xᵀ,
// where op(A) is (M, K), op(B) is (K, N) and C is (M, N); lda/ldb/ldc are row strides. Large
// products are split across tapenet's threads (core/parallel.h).
#pragma once

namespace tn {

void gemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda,
          const float* b, int ldb, float beta, float* c, int ldc);

}  // namespace tn
