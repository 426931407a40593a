// Matrix products, all through cblas_sgemm (core/gemm.h): no hand-rolled GEMM.
//
// With C = op(A) op(B) and upstream gradient G = dL/dC (op(X) = X or Xᵀ):
//   dL/dop(A) = G op(B)ᵀ          so  dA = G op(B)ᵀ   (A untransposed)  or  dA = op(B) Gᵀ   (A transposed)
//   dL/dop(B) = op(A)ᵀ G          so  dB = op(A)ᵀ G   (B untransposed)  or  dB = Gᵀ op(A)   (B transposed)
// Each is one more GEMM with transpose flags, accumulated with beta = 1 (gradients add up).
#include "core/error.h"
#include "core/gemm.h"
#include "core/ops.h"
#include "core/tape.h"

namespace tn {

namespace {

// One (possibly batched) product: `batch` pairs of matrices at fixed strides.
struct GemmShape {
    int64_t batch, m, n, k;
    int64_t stride_a, stride_b, stride_c;  // elements between consecutive matrices (0: shared)
    bool ta, tb;
};

void gemm_forward(const GemmShape& s, const float* a, const float* b, float* c) {
    const int lda = static_cast<int>(s.ta ? s.m : s.k), ldb = static_cast<int>(s.tb ? s.k : s.n);
    for (int64_t i = 0; i < s.batch; ++i)
        gemm(s.ta, s.tb, static_cast<int>(s.m), static_cast<int>(s.n), static_cast<int>(s.k), 1.0f,
             a + i * s.stride_a, lda, b + i * s.stride_b, ldb, 0.0f, c + i * s.stride_c, static_cast<int>(s.n));
}

void gemm_backward(const GemmShape& s, const float* a, const float* b, const float* g, float* ga, float* gb) {
    const int m = static_cast<int>(s.m), n = static_cast<int>(s.n), k = static_cast<int>(s.k);
    const int lda = s.ta ? m : k, ldb = s.tb ? k : n;
    for (int64_t i = 0; i < s.batch; ++i) {
        const float *ai = a + i * s.stride_a, *bi = b + i * s.stride_b, *gi = g + i * s.stride_c;
        if (ga) {
            float* gai = ga + i * s.stride_a;
            if (!s.ta)  // dA (M,K) = G (M,N) · op(B)ᵀ
                gemm(false, !s.tb, m, k, n, 1.0f, gi, n, bi, ldb, 1.0f, gai, lda);
            else        // dA (K,M) = op(B) (K,N) · Gᵀ
                gemm(s.tb, true, k, m, n, 1.0f, bi, ldb, gi, n, 1.0f, gai, lda);
        }
        if (gb) {
            float* gbi = gb + i * s.stride_b;  // stride 0 when B is shared: the batch sums into it
            if (!s.tb)  // dB (K,N) = op(A)ᵀ · G
                gemm(!s.ta, false, k, n, m, 1.0f, ai, lda, gi, n, 1.0f, gbi, ldb);
            else        // dB (N,K) = Gᵀ · op(A)
                gemm(true, s.ta, n, k, m, 1.0f, gi, n, ai, lda, 1.0f, gbi, ldb);
        }
    }
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) {
    const Shape &sa = a.shape(), &sb = b.shape();
    const auto mismatch = [&](const std::string& why) {
        shape_error("matmul", why + ": " + shape_str(sa) + (trans_a ? "ᵀ" : "") + " @ " + shape_str(sb) +
                                  (trans_b ? "ᵀ" : ""));
    };
    if (sa.size() < 2 || sa.size() > 3 || sb.size() < 2 || sb.size() > 3 || (sa.size() == 2 && sb.size() == 3))
        mismatch("needs 2-D @ 2-D, 3-D @ 3-D or 3-D @ 2-D operands");
    GemmShape s{};
    s.ta = trans_a;
    s.tb = trans_b;
    const size_t ra = sa.size(), rb = sb.size();
    s.m = trans_a ? sa[ra - 1] : sa[ra - 2];
    s.k = trans_a ? sa[ra - 2] : sa[ra - 1];
    const int64_t kb = trans_b ? sb[rb - 1] : sb[rb - 2];
    s.n = trans_b ? sb[rb - 2] : sb[rb - 1];
    if (s.k != kb) mismatch("inner dimensions differ");
    Shape out_shape;
    if (ra == 2) {
        s.batch = 1;
        out_shape = {s.m, s.n};
    } else if (rb == 3) {
        if (sa[0] != sb[0]) mismatch("batch sizes differ");
        s.batch = sa[0];
        out_shape = {sa[0], s.m, s.n};
    } else if (!trans_a) {  // (B,M,K) @ (K,N): one GEMM over the B*M rows
        s.batch = 1;
        s.m = sa[0] * sa[1];
        out_shape = {sa[0], sa[1], s.n};
    } else {  // (B,K,M)ᵀ @ (K,N): one GEMM per batch element against the shared B
        s.batch = sa[0];
        out_shape = {sa[0], s.m, s.n};
    }
    s.stride_a = s.m * s.k;
    s.stride_b = rb == 3 ? s.k * s.n : 0;
    s.stride_c = s.m * s.n;
    if (s.batch == 1) s.stride_a = s.stride_b = s.stride_c = 0;

    Tensor out(out_shape);
    gemm_forward(s, a.data(), b.data(), out.data());
    if (tape::wants_grad({&a, &b})) {
        out.attach_grad();
        tape::record("matmul", [a, b, go = out.grad_slot(), s] {
            if (!go->has()) return;
            float* ga = a.needs_grad() ? a.grad_slot()->acc(a.numel()) : nullptr;
            float* gb = b.needs_grad() ? b.grad_slot()->acc(b.numel()) : nullptr;
            gemm_backward(s, a.data(), b.data(), go->g.data(), ga, gb);
        });
    }
    return out;
}

}  // namespace tn
