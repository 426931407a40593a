#include "core/gemm.h"

#include <cblas.h>

#include "core/parallel.h"

namespace tn {

namespace {

// Products below this many multiply-adds (m*n*k) run on the calling thread: handing a part to
// another thread costs some microseconds, about what 1M multiply-adds take on one core.
constexpr double kMinParallelMacs = 1 << 20;
// The smallest part: thinner blocks of rows or columns lose more in BLAS efficiency than they gain.
constexpr int64_t kMinPart = 32;

void sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
           int ldb, float beta, float* c, int ldc) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k,
                alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda,
          const float* b, int ldb, float beta, float* c, int ldc) {
    if (m == 0 || n == 0) return;
    if (k == 0) {  // BLAS leaves C untouched for k = 0 only when beta = 1: make the result explicit
        for (int i = 0; i < m; ++i)
            for (int j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
        return;
    }
    if (double(m) * n * k < kMinParallelMacs || num_threads() == 1) {
        sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    // Split C across the threads: by rows when it has as many rows as columns, else by columns.
    // Rows i0..i1 of op(A) start at row i0 of A, or at column i0 when A is stored transposed;
    // columns j0..j1 of op(B) likewise.
    if (m >= n) {
        parallel_for(m, kMinPart, [&](int64_t i0, int64_t i1) {
            sgemm(trans_a, trans_b, int(i1 - i0), n, k, alpha, a + (trans_a ? i0 : i0 * lda), lda, b, ldb, beta,
                  c + i0 * ldc, ldc);
        });
    } else {
        parallel_for(n, kMinPart, [&](int64_t j0, int64_t j1) {
            sgemm(trans_a, trans_b, m, int(j1 - j0), k, alpha, a, lda, b + (trans_b ? j0 * ldb : j0), ldb, beta,
                  c + j0, ldc);
        });
    }
}

}  // namespace tn
