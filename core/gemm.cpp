#include "core/gemm.h"

#include <cblas.h>

namespace tn {

void gemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda,
          const float* b, int ldb, float beta, float* c, int ldc) {
    if (m == 0 || n == 0) return;
    if (k == 0) {  // BLAS leaves C untouched for k = 0 only when beta = 1: make the result explicit
        for (int i = 0; i < m; ++i)
            for (int j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
        return;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k,
                alpha, a, lda, b, ldb, beta, c, ldc);
}

void set_num_threads(int n) { openblas_set_num_threads(n); }
int num_threads() { return openblas_get_num_threads(); }

}  // namespace tn
