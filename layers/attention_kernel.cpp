// The fused Attention: forward and hand-written backward.
//
// Shapes: B batch, T steps, D features, N units; hs = h_s (B, T, D), seen as (B*T, D) for GEMMs.
// Forward (cat = [context, h_t] (B, 2D)):
//   luong     q = h_t @ luong_wᵀ (B, D);  score[b, s] = h_s[b, s] · q[b]
//             (equal to h_t · (h_s @ luong_w), at 1/T of the cost of the (B*T, D) @ (D, D) product)
//   bahdanau  hidden = tanh(h_s @ W2 + (h_t @ W1)[b]) (B*T, D);  score = hidden @ v
//   alpha = softmax_s(score) over unmasked steps (0 elsewhere);  context[b] = Σ_s alpha[b, s] h_s[b, s]
//   y = tanh(cat @ Wc)
// Backward, from dy:
//   dpre = dy (1 - y²);  dWc += catᵀ @ dpre;  [dcontext, dh_t] = dpre @ Wcᵀ
//   dalpha[b, s] = dcontext[b] · h_s[b, s];  dh_s[b, s] += alpha[b, s] dcontext[b]
//   dscore[b, s] = alpha[b, s] (dalpha[b, s] - Σ_s' alpha[b, s'] dalpha[b, s'])   (0 at masked steps)
//   luong     dq[b] = Σ_s dscore[b, s] h_s[b, s];  dh_s[b, s] += dscore[b, s] q[b]
//             d luong_w += dqᵀ @ h_t;  dh_t += dq @ luong_w
//   bahdanau  dv += hiddenᵀ @ dscore;  dP = dscore vᵀ (1 - hidden²) (B*T, D)
//             dW2 += h_sᵀ @ dP;  dh_s += dP @ W2ᵀ;  da[b] = Σ_s dP[b, s]
//             dW1 += h_tᵀ @ da;  dh_t += da @ W1ᵀ
//   dh_s[b, last_b] += dh_t[b]
#include "layers/attention_kernel.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/buffer.h"
#include "core/cpu_dispatch.h"
#include "core/error.h"
#include "core/gemm.h"
#include "core/parallel.h"
#include "core/tape.h"
#include "core/vmath.h"
#include "layers/mask.h"

namespace tn {

namespace {

constexpr const char* kAttentionOp = "attention_forward";
// A thread's share of the forward must be at least this much work (as the products of core/gemm.cpp).
constexpr double kMinFlopsPerPart = 2e6;

// What the backward reads. The (B*T)-sized buffers come from the thread's buffer cache (core/buffer.h).
struct AttentionSaved {
    int64_t B, T, D, N;
    bool luong;
    Tensor hs;                     // h_s values (detached)
    Tensor w, w1, w2, v, wc;       // parameter values (detached); w for luong, w1/w2/v for bahdanau
    std::vector<int64_t> last;     // (B) the step h_t was taken from
    std::vector<float> cat;        // (B, 2D) [context, h_t]
    FloatBuffer alpha;             // (B, T)
    std::vector<float> q;          // luong: (B, D)
    FloatBuffer hidden;            // bahdanau: (B*T, D)
    std::vector<float> y;          // (B, N)
};

void expect_shape(const Tensor& t, const Shape& want, const std::string& name) {
    if (!t.defined() || t.shape() != want)
        shape_error(kAttentionOp, name + " must be " + shape_str(want) + ", got " + (t.defined() ? shape_str(t.shape()) : "undefined"));
}

// The backward's loops (the products inside go to core/gemm.h): one version per CPU level
// (TN_VECTOR_KERNEL, core/cpu_dispatch.h).
TN_VECTOR_KERNEL void backward(const AttentionSaved& s, const GradBuffer& gy, const GradSlot& ghs, const GradSlot& gw, const GradSlot& gw1,
              const GradSlot& gw2, const GradSlot& gv, const GradSlot& gwc) {
    const int64_t B = s.B, T = s.T, D = s.D, N = s.N;
    const float* hs = s.hs.data();
    const float* ht = s.cat.data() + D;  // row stride 2D

    std::vector<float> dpre(static_cast<size_t>(B * N));
#pragma omp simd
    for (int64_t k = 0; k < B * N; ++k) dpre[k] = gy.g[k] * (1.0f - s.y[k] * s.y[k]);
    if (gwc)
        gemm(true, false, int(2 * D), int(N), int(B), 1.0f, s.cat.data(), int(2 * D), dpre.data(), int(N), 1.0f,
             gwc->acc(2 * D * N), int(N));
    std::vector<float> dcat(static_cast<size_t>(B * 2 * D));  // [dcontext, dh_t]
    gemm(false, true, int(B), int(2 * D), int(N), 1.0f, dpre.data(), int(N), s.wc.data(), int(N), 0.0f, dcat.data(),
         int(2 * D));

    // Through the context and the softmax. (The inner loops are `omp simd`: GCC does not vectorize
    // them at -O2 by itself.) dhs is first written here.
    FloatBuffer dhs(B * T * D), dscore(B * T);
    for (int64_t b = 0; b < B; ++b) {
        const float* dctx = &dcat[b * 2 * D];
        const float* a = &s.alpha[b * T];
        float* dsc = &dscore[b * T];
        float weighted = 0.0f;  // Σ_s alpha dalpha
        for (int64_t t = 0; t < T; ++t) {
            const float* __restrict row = hs + (b * T + t) * D;
            float* __restrict drow = &dhs[(b * T + t) * D];
            float dalpha = 0.0f;
#pragma omp simd reduction(+ : dalpha)
            for (int64_t d = 0; d < D; ++d) {
                dalpha += dctx[d] * row[d];
                drow[d] = a[t] * dctx[d];
            }
            dsc[t] = dalpha;
            weighted += a[t] * dalpha;
        }
        for (int64_t t = 0; t < T; ++t) dsc[t] = a[t] * (dsc[t] - weighted);
    }

    // Through the score. dht (B, D) starts as the h_t half of dcat.
    std::vector<float> dht(static_cast<size_t>(B * D));
    for (int64_t b = 0; b < B; ++b) std::copy(&dcat[b * 2 * D + D], &dcat[(b + 1) * 2 * D], &dht[b * D]);
    if (s.luong) {
        std::vector<float> dq(static_cast<size_t>(B * D), 0.0f);
        for (int64_t b = 0; b < B; ++b)
            for (int64_t t = 0; t < T; ++t) {
                const float ds = dscore[b * T + t];
                const float* __restrict row = hs + (b * T + t) * D;
                float* __restrict drow = &dhs[(b * T + t) * D];
                float* __restrict dqb = &dq[b * D];
                const float* __restrict qb = &s.q[b * D];
#pragma omp simd
                for (int64_t d = 0; d < D; ++d) {
                    dqb[d] += ds * row[d];
                    drow[d] += ds * qb[d];
                }
            }
        if (gw)
            gemm(true, false, int(D), int(D), int(B), 1.0f, dq.data(), int(D), ht, int(2 * D), 1.0f, gw->acc(D * D),
                 int(D));
        gemm(false, false, int(B), int(D), int(D), 1.0f, dq.data(), int(D), s.w.data(), int(D), 1.0f, dht.data(),
             int(D));
    } else {
        const int rows = int(B * T);
        if (gv)
            gemm(true, false, int(D), 1, rows, 1.0f, s.hidden.data(), int(D), dscore.data(), 1, 1.0f, gv->acc(D), 1);
        FloatBuffer dP(B * T * D);
        const float* v = s.v.data();
        for (int64_t r = 0; r < B * T; ++r) {
            const float* __restrict hid = &s.hidden[r * D];
            float* __restrict dp = &dP[r * D];
#pragma omp simd
            for (int64_t d = 0; d < D; ++d) dp[d] = dscore[r] * v[d] * (1.0f - hid[d] * hid[d]);
        }
        if (gw2)
            gemm(true, false, int(D), int(D), rows, 1.0f, hs, int(D), dP.data(), int(D), 1.0f, gw2->acc(D * D), int(D));
        gemm(false, true, rows, int(D), int(D), 1.0f, dP.data(), int(D), s.w2.data(), int(D), 1.0f, dhs.data(), int(D));
        std::vector<float> da(static_cast<size_t>(B * D), 0.0f);
        for (int64_t b = 0; b < B; ++b)
            for (int64_t t = 0; t < T; ++t) {
                float* __restrict dab = &da[b * D];
                const float* __restrict dp = &dP[(b * T + t) * D];
#pragma omp simd
                for (int64_t d = 0; d < D; ++d) dab[d] += dp[d];
            }
        if (gw1)
            gemm(true, false, int(D), int(D), int(B), 1.0f, ht, int(2 * D), da.data(), int(D), 1.0f, gw1->acc(D * D),
                 int(D));
        gemm(false, true, int(B), int(D), int(D), 1.0f, da.data(), int(D), s.w1.data(), int(D), 1.0f, dht.data(),
             int(D));
    }

    if (!ghs) return;
    for (int64_t b = 0; b < B; ++b)
        for (int64_t d = 0; d < D; ++d) dhs[(b * T + s.last[b]) * D + d] += dht[b * D + d];
    ghs->add(std::move(dhs));
}

// The forward of batch rows [b0, b1): scores, alpha, context and y (s holds h_s, last and the
// buffers). One version per CPU level (TN_VECTOR_KERNEL, core/cpu_dispatch.h).
TN_VECTOR_KERNEL void forward_rows(AttentionSaved* s, const AttentionScoreParams& params, const float* wc,
                                   const Tensor& mask, float* sc, float* y_data, int64_t b0, int64_t b1) {
    const int64_t T = s->T, D = s->D, N = s->N;
    const bool luong = s->luong;
    const float* hs = s->hs.data();
    const float* ht = s->cat.data() + D;  // row stride 2D
    auto real = [&](int64_t b, int64_t t) { return !mask.defined() || mask[b * T + t] != 0.0f; };
    const int rows = int(b1 - b0);
    if (luong) {  // q = h_t @ luong_wᵀ;  score[b, s] = h_s[b, s] · q[b]
        gemm(false, true, rows, int(D), int(D), 1.0f, ht + b0 * 2 * D, int(2 * D), params.luong_w.data(), int(D),
             0.0f, &s->q[b0 * D], int(D));
        for (int64_t b = b0; b < b1; ++b)
            for (int64_t t = 0; t < T; ++t) {
                const float* row = hs + (b * T + t) * D;
                const float* qb = &s->q[b * D];
                float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
                for (int64_t d = 0; d < D; ++d) dot += row[d] * qb[d];
                sc[b * T + t] = dot;
            }
    } else {  // hidden = tanh(h_s @ W2 + (h_t @ W1)[b]);  score = hidden @ v
        std::vector<float> a(static_cast<size_t>(rows * D));
        gemm(false, false, rows, int(D), int(D), 1.0f, ht + b0 * 2 * D, int(2 * D), params.bahdanau_w1.data(),
             int(D), 0.0f, a.data(), int(D));
        float* hidden = &s->hidden[b0 * T * D];
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t t = 0; t < T; ++t) std::copy(&a[r * D], &a[(r + 1) * D], hidden + (r * T + t) * D);
        gemm(false, false, rows * int(T), int(D), int(D), 1.0f, hs + b0 * T * D, int(D),
             params.bahdanau_w2.data(), int(D), 1.0f, hidden, int(D));
        vmath::tanh(hidden, hidden, rows * T * D);
        gemm(false, false, rows * int(T), 1, int(D), 1.0f, hidden, int(D), params.bahdanau_v.data(), 1, 0.0f,
             sc + b0 * T, 1);
    }

    // alpha = softmax over the unmasked steps (the row max subtracted); masked steps get exactly 0.
    for (int64_t b = b0; b < b1; ++b) {
        float top = sc[b * T + s->last[b]];
        for (int64_t t = 0; t < T; ++t)
            if (real(b, t)) top = std::max(top, sc[b * T + t]);
        float* a = &s->alpha[b * T];
        for (int64_t t = 0; t < T; ++t) a[t] = sc[b * T + t] - top;
        vmath::exp(a, a, T);
        float total = 0.0f;
        for (int64_t t = 0; t < T; ++t) {
            if (!real(b, t)) a[t] = 0.0f;
            total += a[t];
        }
        for (int64_t t = 0; t < T; ++t) a[t] /= total;
    }

    // context[b] = Σ_s alpha[b, s] h_s[b, s], into the left half of cat.
    for (int64_t b = b0; b < b1; ++b) {
        float* __restrict ctx = &s->cat[b * 2 * D];
        for (int64_t t = 0; t < T; ++t) {
            const float a = s->alpha[b * T + t];
            const float* __restrict row = hs + (b * T + t) * D;
#pragma omp simd
            for (int64_t d = 0; d < D; ++d) ctx[d] += a * row[d];
        }
    }

    // y = tanh(cat @ Wc)
    gemm(false, false, rows, int(N), int(2 * D), 1.0f, &s->cat[b0 * 2 * D], int(2 * D), wc,
         int(N), 0.0f, y_data + b0 * N, int(N));
    vmath::tanh(y_data + b0 * N, y_data + b0 * N, rows * N);
}

}  // namespace

Tensor attention_forward(const Tensor& h_s, const AttentionScoreParams& params, const Tensor& attention_vector,
                         const Tensor& mask, AttentionIntermediates* out) {
    if (!h_s.defined() || h_s.ndim() != 3 || h_s.dim(1) < 1 || h_s.dim(2) < 1)
        shape_error(kAttentionOp, "h_s must be (batch, steps >= 1, features >= 1), got " +
                             (h_s.defined() ? shape_str(h_s.shape()) : "undefined"));
    const int64_t B = h_s.dim(0), T = h_s.dim(1), D = h_s.dim(2);
    const bool luong = params.score == AttentionScore::luong;
    if (luong) {
        expect_shape(params.luong_w, {D, D}, "luong_w");
    } else {
        expect_shape(params.bahdanau_w1, {D, D}, "bahdanau_w1");
        expect_shape(params.bahdanau_w2, {D, D}, "bahdanau_w2");
        expect_shape(params.bahdanau_v, {D, 1}, "bahdanau_v");
    }
    if (!attention_vector.defined() || attention_vector.ndim() != 2 || attention_vector.dim(0) != 2 * D ||
        attention_vector.dim(1) < 1)
        shape_error(kAttentionOp, "attention_vector must be (2*features, units) = (" + std::to_string(2 * D) + ", units), got " +
                             (attention_vector.defined() ? shape_str(attention_vector.shape()) : "undefined"));
    const int64_t N = attention_vector.dim(1);
    if (mask.defined()) check_mask(kAttentionOp, mask, B, T);
    auto real = [&](int64_t b, int64_t t) { return !mask.defined() || mask[b * T + t] != 0.0f; };

    auto s = std::make_shared<AttentionSaved>();
    s->B = B, s->T = T, s->D = D, s->N = N, s->luong = luong;
    s->hs = h_s.detach();
    s->w = params.luong_w.defined() ? params.luong_w.detach() : Tensor();
    s->w1 = params.bahdanau_w1.defined() ? params.bahdanau_w1.detach() : Tensor();
    s->w2 = params.bahdanau_w2.defined() ? params.bahdanau_w2.detach() : Tensor();
    s->v = params.bahdanau_v.defined() ? params.bahdanau_v.detach() : Tensor();
    s->wc = attention_vector.detach();
    const float* hs = h_s.data();

    // h_t: the last (unmasked) step of each row, into the right half of cat.
    s->last.resize(static_cast<size_t>(B));
    s->cat.assign(static_cast<size_t>(B * 2 * D), 0.0f);
    for (int64_t b = 0; b < B; ++b) {
        int64_t last = T - 1;
        while (last >= 0 && !real(b, last)) --last;
        if (last < 0) value_error(kAttentionOp, "row " + std::to_string(b) + " of the mask has no unmasked step to attend to");
        s->last[b] = last;
        std::copy(hs + (b * T + last) * D, hs + (b * T + last + 1) * D, &s->cat[b * 2 * D + D]);
    }

    Tensor score = Tensor::empty({B, T});
    s->alpha = FloatBuffer(B * T);  // every entry written below
    if (luong) s->q.resize(static_cast<size_t>(B * D));
    else s->hidden = FloatBuffer(B * T * D);
    Tensor y = Tensor::empty({B, N});
    // Every row of the batch is independent here: each thread computes rows [b0, b1) (at least
    // about kMinFlopsPerPart of work, so that small layers stay on one thread).
    const double flops_per_row = 2.0 * (luong ? D * D + T * D : D * D + T * D * D + T * D) + 2.0 * T * D + 4.0 * D * N;
    const int64_t min_rows = std::max<int64_t>(1, int64_t(kMinFlopsPerPart / flops_per_row));
    parallel_for(B, min_rows, [&](int64_t b0, int64_t b1) {
        forward_rows(s.get(), params, attention_vector.data(), mask, score.data(), y.data(), b0, b1);
    });

    if (out) {
        out->alpha = Tensor::empty({B, T});
        std::copy(s->alpha.begin(), s->alpha.end(), out->alpha.data());
        out->scores = score;
        out->context = Tensor({B, D});
        out->h_t = Tensor({B, D});
        for (int64_t b = 0; b < B; ++b) {
            std::copy(&s->cat[b * 2 * D], &s->cat[b * 2 * D + D], out->context.data() + b * D);
            std::copy(&s->cat[b * 2 * D + D], &s->cat[(b + 1) * 2 * D], out->h_t.data() + b * D);
        }
    }

    const Tensor& w = params.luong_w;
    const Tensor& w1 = params.bahdanau_w1;
    const Tensor& w2 = params.bahdanau_w2;
    const Tensor& v = params.bahdanau_v;
    if (tape::wants_grad({&h_s, &attention_vector, luong ? &w : &w1, luong ? &w : &w2, luong ? &w : &v})) {
        s->y = y.to_vector();
        y.attach_grad();
        auto slot = [](const Tensor& t) { return t.defined() && t.needs_grad() ? t.grad_slot() : GradSlot(); };
        tape::record(kAttentionOp, [s, gy = y.grad_slot(), ghs = slot(h_s), gw = luong ? slot(w) : GradSlot(),
                           gw1 = luong ? GradSlot() : slot(w1), gw2 = luong ? GradSlot() : slot(w2),
                           gv = luong ? GradSlot() : slot(v), gwc = slot(attention_vector)] {
            if (gy->has()) backward(*s, *gy, ghs, gw, gw1, gw2, gv, gwc);
        });
    }
    return y;
}

}  // namespace tn
