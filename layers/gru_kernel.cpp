// The fused GRU: forward and hand-written backward (BPTT) of a whole sequence.
//
// Everything is batch-major, as x is, so that the input projection and the weight gradients are
// single GEMMs over the B*T rows with no transposes (row b, step t is row b*T + t):
//   gates  (B, T, 3U)   first x @ kernel + b_in for all steps at once, then per step [z | r | hh] activated in place
//   hp     (B, T, U)    h_{t-1}, the state a step starts from
//   ex     (B, T, U)    reset_after: h_{t-1} @ W_h' + b'_h (before r multiplies it); else r * h_{t-1}
// hp and ex are kept only when a gradient is wanted.
//
// Backward of step t, given dh = dL/dh_t (from later steps, y_t, h_last), m = mask[b, t]:
//   (m = 1)  dhh = dh (1 - z) act'(hh)          dz = dh (h_{t-1} - hh) σ'(z)      dh_{t-1} = dh z + ...
//            reset_after:  dr = dhh ex σ'(r)     d(x part) = [dz, dr, dhh]         d(h part) = [dz, dr, dhh r]
//                          dh_{t-1} += d(h part) @ W'ᵀ
//            else:         drh = dhh @ W_h'ᵀ    dr = drh h_{t-1} σ'(r)             d(x part) = [dz, dr, dhh]
//                          dh_{t-1} += drh r + [dz, dr] @ W'_{zr}ᵀ
//   (m = 0)  nothing reaches the weights, dh_{t-1} = dh
// and over all steps (dX = every d(x part), dH = every d(h part), (B*T, 3U)):
//   d kernel += xᵀ @ dX    dx = dX @ kernelᵀ    d b_in += Σ_rows dX
//   reset_after:  d recurrent_kernel += hpᵀ @ dH    d b_rec += Σ_rows dH
//   else:         d recurrent_kernel[:, :2U] += hpᵀ @ dX[:, :2U]    d recurrent_kernel[:, 2U:] += exᵀ @ dX[:, 2U:]
//
// Padded steps are skipped, as PyTorch's packed sequences do (layers/row_order.h). With a mask, the
// rows are taken in order of their number of real steps (`order`: internal row k is batch row
// order.row(k)), so that in padded batches the rows real at step t are the first rows of every part; the
// step's products, gates and backward then run on those rows only, and the others carry their state
// (and its gradient) through. When a step's real rows are not such a prefix, it runs on all rows and
// masks after. The products over all steps (input projection, d kernel, dx, d recurrent_kernel) run
// on the spans of rows that hold the real steps (real_spans). x, gates, hp, ex, dX and dH are in
// internal order; y, h_last and the gradients of x and h0 are read and written through `order`.
#include "layers/gru_kernel.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "core/buffer.h"
#include "core/error.h"
#include "core/gemm.h"
#include "core/parallel.h"
#include "core/tape.h"
#include "layers/mask.h"
#include "layers/recurrent_activation.h"
#include "layers/row_order.h"

namespace tn {

namespace gru_fused {

constexpr const char* kOp = "gru_sequence";
constexpr int64_t kMinRowsPerThread = 8;

// What the backward reads.
struct Saved {
    int64_t B = 0, T = 0, D = 0, U = 0;
    LstmActivation act = LstmActivation::tanh, rec = LstmActivation::sigmoid;
    bool reset_after = true, return_sequences = false;
    FloatBuffer gates, hp, ex;
    RowOrder order;  // the mask and the internal row order (layers/row_order.h)
    std::vector<std::pair<int64_t, int64_t>> spans;  // the rows of every real step (real_spans)
    Tensor x, kernel, recurrent_kernel;  // values (detached), x in internal row order
};

void check_inputs(const Tensor& x, const Tensor& kernel, const Tensor& recurrent_kernel, const Tensor& bias,
                  const Tensor& h0, bool reset_after) {
    const auto str = [](const Tensor& t) { return t.defined() ? shape_str(t.shape()) : std::string("undefined"); };
    if (!x.defined() || x.ndim() != 3) shape_error(kOp, "x must be (batch, steps, features), got " + str(x));
    if (x.dim(1) < 1) shape_error(kOp, "x has no time steps (T = 0): " + shape_str(x.shape()));
    if (!recurrent_kernel.defined() || recurrent_kernel.ndim() != 2 || recurrent_kernel.dim(0) < 1 ||
        recurrent_kernel.dim(1) != 3 * recurrent_kernel.dim(0))
        shape_error(kOp, "recurrent_kernel must be (units, 3*units), got " + str(recurrent_kernel));
    const int64_t B = x.dim(0), D = x.dim(2), U = recurrent_kernel.dim(0);
    if (!kernel.defined() || kernel.shape() != Shape{D, 3 * U})
        shape_error(kOp, "kernel must be " + shape_str({D, 3 * U}) + " for x " + shape_str(x.shape()) +
                             " and recurrent_kernel " + str(recurrent_kernel) + ", got " + str(kernel));
    const Shape bias_shape = reset_after ? Shape{2, 3 * U} : Shape{3 * U};
    if (bias.defined() && bias.shape() != bias_shape)
        shape_error(kOp, "bias must be " + shape_str(bias_shape) + (reset_after ? " (reset_after)" : " (reset_after = false)") +
                             ", got " + str(bias));
    if (h0.defined() && h0.shape() != Shape{B, U})
        shape_error(kOp, "initial state h0 must be " + shape_str({B, U}) + ", got " + str(h0));
}

// The forward of one step for rows whose gate rows hold x_t @ kernel + b_in (row r at g + r*ld);
// ends with [z | r | hh] there. hr is (rows, 3U) scratch, rh (rows, U) scratch; ex_row(r) is where
// the row's ex goes (null: not kept).
struct StepForward {
    const Saved& s;
    const float* rk;        // recurrent_kernel (U, 3U)
    const float* b_rec;     // (3U) or null
    void operator()(int64_t rows, float* g, int64_t ld, const float* h, float* hr, float* rh, float* ex, int64_t ex_ld) const {
        const int64_t U = s.U, G = 3 * U;
        if (s.reset_after) {  // hr = h @ W' + b'; z, r from x part + hr; hh = act(x_h + r * hr_h)
            gemm(false, false, int(rows), int(G), int(U), 1.0f, h, int(U), rk, int(G), 0.0f, hr, int(G));
            for (int64_t i = 0; i < rows; ++i) {
                float* gi = g + i * ld;
                float* hri = hr + i * G;
                if (b_rec) {
#pragma omp simd
                    for (int64_t j = 0; j < G; ++j) hri[j] += b_rec[j];
                }
#pragma omp simd
                for (int64_t j = 0; j < 2 * U; ++j) gi[j] += hri[j];
                activate(s.rec, gi, gi, 2 * U);
#pragma omp simd
                for (int64_t u = 0; u < U; ++u) gi[2 * U + u] += gi[U + u] * hri[2 * U + u];
                activate(s.act, gi + 2 * U, gi + 2 * U, U);
                if (ex) std::memcpy(ex + i * ex_ld, hri + 2 * U, static_cast<size_t>(U) * sizeof(float));
            }
            return;
        }
        // reset before: z, r from x part + h @ W'_zr; rh = r * h; hh = act(x_h + rh @ W'_h)
        gemm(false, false, int(rows), int(2 * U), int(U), 1.0f, h, int(U), rk, int(G), 0.0f, hr, int(G));
        for (int64_t i = 0; i < rows; ++i) {
            float* gi = g + i * ld;
            const float* hri = hr + i * G;
#pragma omp simd
            for (int64_t j = 0; j < 2 * U; ++j) gi[j] += hri[j];
            activate(s.rec, gi, gi, 2 * U);
            const float* hi = h + i * U;
            float* rhi = rh + i * U;
#pragma omp simd
            for (int64_t u = 0; u < U; ++u) rhi[u] = gi[U + u] * hi[u];
            if (ex) std::memcpy(ex + i * ex_ld, rhi, static_cast<size_t>(U) * sizeof(float));
        }
        gemm(false, false, int(rows), int(U), int(U), 1.0f, rh, int(U), rk + 2 * U, int(G), 0.0f, hr + 2 * U, int(G));
        for (int64_t i = 0; i < rows; ++i) {
            float* gi = g + i * ld;
            const float* hri = hr + i * G;
#pragma omp simd
            for (int64_t u = 0; u < U; ++u) gi[2 * U + u] += hri[2 * U + u];
            activate(s.act, gi + 2 * U, gi + 2 * U, U);
        }
    }
};

// h_t = hh + z (h_{t-1} - hh), in place in h, for one row.
void update_state_row(int64_t U, const float* __restrict g, float* __restrict h) {
    const float *z = g, *hh = g + 2 * U;
#pragma omp simd
    for (int64_t u = 0; u < U; ++u) h[u] = hh[u] + z[u] * (h[u] - hh[u]);
}

// The part of a step's backward that needs no product, for one unmasked row (see the top of the file):
// writes dx_row = [dz, dr, dhh] (dr only with reset_after), dh_row's h block (reset_after) and
// dh_prev = dh z.
template <LstmActivation Act, LstmActivation Rec>
void step_backward_row(int64_t U, bool reset_after, const float* __restrict g, const float* __restrict hp,
                       const float* __restrict ex, const float* __restrict dh, float* __restrict dx_row,
                       float* __restrict dh_row, float* __restrict dh_prev) {
    const float *z = g, *r = g + U, *hh = g + 2 * U;
#pragma omp simd
    for (int64_t u = 0; u < U; ++u) {
        const float dhh = dh[u] * (1.0f - z[u]) * derivative<Act>(hh[u]);
        dx_row[u] = dh[u] * (hp[u] - hh[u]) * derivative<Rec>(z[u]);
        dx_row[2 * U + u] = dhh;
        dh_prev[u] = dh[u] * z[u];
    }
    if (!reset_after) return;
#pragma omp simd
    for (int64_t u = 0; u < U; ++u) {
        const float dhh = dx_row[2 * U + u];
        dx_row[U + u] = dhh * ex[u] * derivative<Rec>(r[u]);
        dh_row[u] = dx_row[u];
        dh_row[U + u] = dx_row[U + u];
        dh_row[2 * U + u] = dhh * r[u];
    }
}

// Reset before, after drh = dhh @ W_h'ᵀ: dr = drh h_{t-1} σ'(r), dh_prev += drh r.
template <LstmActivation Rec>
void reset_before_row(int64_t U, const float* __restrict g, const float* __restrict hp, const float* __restrict drh,
                      float* __restrict dx_row, float* __restrict dh_prev) {
    const float* r = g + U;
#pragma omp simd
    for (int64_t u = 0; u < U; ++u) {
        dx_row[U + u] = drh[u] * hp[u] * derivative<Rec>(r[u]);
        dh_prev[u] += drh[u] * r[u];
    }
}

using StepBackwardRow = void (*)(int64_t, bool, const float*, const float*, const float*, const float*, float*,
                                 float*, float*);
using ResetBeforeRow = void (*)(int64_t, const float*, const float*, const float*, float*, float*);

// Column sums of `rows` rows of n values into out (+=), in row order.
void add_column_sums(const float* m, int64_t rows, int64_t n, float* out) {
    for (int64_t i = 0; i < rows; ++i) {
        const float* row = m + i * n;
#pragma omp simd
        for (int64_t j = 0; j < n; ++j) out[j] += row[j];
    }
}

// The spans [first, first + n) of the B*T rows (internal order) that hold every real step, for the
// products over all steps: without a mask all rows; with one, each row's run of real steps (all its
// steps when they are not one run), joined across gaps shorter than kMinGap rows, whose products are
// harmless (their gates are never used, their dX is 0) and cheaper than a split product.
constexpr int64_t kMinGap = 16;
std::vector<std::pair<int64_t, int64_t>> real_spans(const RowOrder& order, int64_t B, int64_t T) {
    if (!order.masked()) return {{0, B * T}};
    std::vector<std::pair<int64_t, int64_t>> spans;
    for (int64_t k = 0; k < B; ++k) {
        int64_t t0 = T, t1 = 0, real = 0;
        for (int64_t t = 0; t < T; ++t)
            if (order.real(k, t)) t0 = std::min(t0, t), t1 = t + 1, ++real;
        if (real == 0) continue;
        if (real != t1 - t0) t0 = 0, t1 = T;
        const int64_t first = k * T + t0, last = k * T + t1;
        if (!spans.empty() && first - (spans.back().first + spans.back().second) < kMinGap)
            spans.back().second = last - spans.back().first;
        else
            spans.emplace_back(first, last - first);
    }
    return spans;
}

struct Grads {
    GradSlot y, h_last, x, kernel, recurrent_kernel, bias, h0;
};

// Backward through time of rows [b0, b1): fills their rows of dX (and dH) and adds dL/dh0 into gh0
// (B, U) if given.
void backward_rows(const Saved& s, const Grads& g, int64_t b0, int64_t b1, float* dX, float* dH, float* gh0) {
    const int64_t T = s.T, U = s.U, G = 3 * U, rows = b1 - b0, RU = rows * U, ld = T * G;
    const bool y_has = g.y && g.y->has();
    const StepBackwardRow step_row = with_activation_pair(
        s.act, s.rec, []<LstmActivation A, LstmActivation R>() -> StepBackwardRow { return &step_backward_row<A, R>; });
    const ResetBeforeRow before_row = with_activation_pair(
        s.act, s.rec, []<LstmActivation A, LstmActivation R>() -> ResetBeforeRow { return &reset_before_row<R>; });
    const float* rk = s.recurrent_kernel.data();
    std::vector<float> dh(RU, 0.0f), dh_prev(RU), drh(s.reset_after ? 0 : RU);
    for (int64_t i = 0; i < rows; ++i) {  // the gradients into h_T (and y = h_T) of batch row row(b0 + i)
        const int64_t b = s.order.row(b0 + i);
        if (g.h_last && g.h_last->has()) std::copy_n(g.h_last->g.data() + b * U, U, &dh[i * U]);
        if (y_has && !s.return_sequences)
            for (int64_t u = 0; u < U; ++u) dh[i * U + u] += g.y->g[b * U + u];
    }

    for (int64_t t = T - 1; t >= 0; --t) {
        if (y_has && s.return_sequences)
            for (int64_t i = 0; i < rows; ++i) {
                const float* gy = g.y->g.data() + (s.order.row(b0 + i) * T + t) * U;
#pragma omp simd
                for (int64_t u = 0; u < U; ++u) dh[i * U + u] += gy[u];
            }
        float* dx0 = dX + (b0 * T + t) * G;  // row i at dx0 + i * ld
        float* dH_t = dH ? dH + (b0 * T + t) * G : nullptr;
        const int64_t real = s.order.real_prefix(b0, rows, t);  // rows [real, rows) are padded at step t
        for (int64_t i = 0; i < rows; ++i) {
            const int64_t row = (b0 + i) * T + t;
            if (i >= real || !s.order.real(b0 + i, t)) {  // nothing reaches the weights; the state's gradient passes through
                std::fill_n(dx0 + i * ld, G, 0.0f);
                if (dH_t) std::fill_n(dH_t + i * ld, G, 0.0f);
                std::copy_n(&dh[i * U], U, &dh_prev[i * U]);
                continue;
            }
            step_row(U, s.reset_after, s.gates.data() + row * G, s.hp.data() + row * U, s.ex.data() + row * U,
                     &dh[i * U], dx0 + i * ld, dH_t ? dH_t + i * ld : nullptr, &dh_prev[i * U]);
        }
        if (real == 0) {  // every row padded: no product
        } else if (s.reset_after) {  // dh_{t-1} += dH_t @ W'ᵀ: (real, 3U) @ (3U, U)
            gemm(false, true, int(real), int(U), int(G), 1.0f, dH_t, int(ld), rk, int(G), 1.0f, dh_prev.data(), int(U));
        } else {  // drh = dhh @ W_h'ᵀ, then dr and dh_{t-1} += drh r; dh_{t-1} += [dz, dr] @ W'_zrᵀ
            gemm(false, true, int(real), int(U), int(U), 1.0f, dx0 + 2 * U, int(ld), rk + 2 * U, int(G), 0.0f,
                 drh.data(), int(U));
            for (int64_t i = 0; i < real; ++i) {
                const int64_t row = (b0 + i) * T + t;
                if (!s.order.real(b0 + i, t)) continue;
                before_row(U, s.gates.data() + row * G, s.hp.data() + row * U, &drh[i * U], dx0 + i * ld, &dh_prev[i * U]);
            }
            gemm(false, true, int(real), int(U), int(2 * U), 1.0f, dx0, int(ld), rk, int(G), 1.0f, dh_prev.data(), int(U));
        }
        dh.swap(dh_prev);
    }
    for (int64_t i = 0; gh0 && i < rows; ++i)
        for (int64_t u = 0; u < U; ++u) gh0[s.order.row(b0 + i) * U + u] += dh[i * U + u];
}

// The backward of the whole sequence (see the equations at the top of this file).
void backward(const Saved& s, const Grads& g) {
    if (!(g.y && g.y->has()) && !(g.h_last && g.h_last->has())) return;
    const int64_t B = s.B, T = s.T, D = s.D, U = s.U, G = 3 * U, BT = B * T;
    FloatBuffer dX(BT * G), dH(s.reset_after ? BT * G : 0);
    float* dh_all = s.reset_after ? dH.data() : nullptr;
    float* gh0 = g.h0 ? g.h0->acc(B * U) : nullptr;  // allocated here, written by each part in its rows
    parallel_for(B, kMinRowsPerThread,
                 [&](int64_t b0, int64_t b1) { backward_rows(s, g, b0, b1, dX.data(), dh_all, gh0); });

    if (g.bias) {  // reset_after: row 0 from dX, row 1 from dH
        float* gb = g.bias->acc(s.reset_after ? 2 * G : G);
        add_column_sums(dX.data(), BT, G, gb);
        if (s.reset_after) add_column_sums(dH.data(), BT, G, gb + G);
    }
    // The products over all steps run on the spans that hold the real steps (dX, dH are 0 elsewhere).
    if (g.kernel)  // d kernel (D, 3U) += xᵀ (D, B*T) @ dX
        for (const auto& [i, n] : s.spans)
            gemm(true, false, int(D), int(G), int(n), 1.0f, s.x.data() + i * D, int(D), dX.data() + i * G, int(G), 1.0f,
                 g.kernel->acc(D * G), int(G));
    if (g.x) {  // dx (B*T, D) += dX @ kernelᵀ, in internal order, added to batch row row(k)
        std::vector<float> own_order(s.order.identity() ? 0 : BT * D, 0.0f);
        float* dx = s.order.identity() ? g.x->acc(BT * D) : own_order.data();
        for (const auto& [i, n] : s.spans)
            gemm(false, true, int(n), int(D), int(G), 1.0f, dX.data() + i * G, int(G), s.kernel.data(), int(G), 1.0f,
                 dx + i * D, int(D));
        float* gx = s.order.identity() ? nullptr : g.x->acc(BT * D);
        for (int64_t k = 0; gx && k < B; ++k)
            for (int64_t j = 0; j < T * D; ++j) gx[s.order.row(k) * T * D + j] += dx[k * T * D + j];
    }
    if (g.recurrent_kernel) {
        float* gr = g.recurrent_kernel->acc(U * G);
        for (const auto& [i, n] : s.spans) {
            const float* hp = s.hp.data() + i * U;
            if (s.reset_after) {
                gemm(true, false, int(U), int(G), int(n), 1.0f, hp, int(U), dH.data() + i * G, int(G), 1.0f, gr, int(G));
            } else {
                gemm(true, false, int(U), int(2 * U), int(n), 1.0f, hp, int(U), dX.data() + i * G, int(G), 1.0f, gr,
                     int(G));
                gemm(true, false, int(U), int(U), int(n), 1.0f, s.ex.data() + i * U, int(U), dX.data() + i * G + 2 * U,
                     int(G), 1.0f, gr + 2 * U, int(G));
            }
        }
    }
}

}  // namespace gru_fused

Tensor gru_sequence(const Tensor& x, const Tensor& kernel, const Tensor& recurrent_kernel, const Tensor& bias,
                    const Tensor& mask, const Tensor& h0, bool reset_after, LstmActivation activation,
                    LstmActivation recurrent_activation, bool return_sequences, Tensor* h_last) {
    using namespace gru_fused;
    check_inputs(x, kernel, recurrent_kernel, bias, h0, reset_after);
    const int64_t B = x.dim(0), T = x.dim(1), D = x.dim(2), U = recurrent_kernel.dim(0), G = 3 * U;
    if (mask.defined()) check_mask(kOp, mask, B, T);

    const bool grad = tape::wants_grad({&x, &kernel, &recurrent_kernel, &bias, &h0});
    auto s = std::make_shared<Saved>();
    s->B = B, s->T = T, s->D = D, s->U = U;
    s->act = activation, s->rec = recurrent_activation;
    s->reset_after = reset_after, s->return_sequences = return_sequences;
    s->order = RowOrder(mask, B, T);
    s->spans = real_spans(s->order, B, T);
    // x in internal row order (a copy only when the order is not the batch's)
    const Tensor xs = s->order.in_order(x);
    if (grad) {
        s->x = xs.detach(), s->kernel = kernel.detach(), s->recurrent_kernel = recurrent_kernel.detach();
        s->hp = FloatBuffer(B * T * U);
        s->ex = FloatBuffer(B * T * U);
    }

    // The input projection of every real step at once: gates (B*T, 3U) = b_in + x (B*T, D) @ kernel
    // on the spans of real steps (b_in, or 0, elsewhere).
    s->gates = FloatBuffer(B * T * G);
    const float* b_in = bias.defined() ? bias.data() : nullptr;
    for (int64_t row = 0; row < B * T; ++row) {
        if (b_in) std::memcpy(s->gates.data() + row * G, b_in, static_cast<size_t>(G) * sizeof(float));
        else std::fill_n(s->gates.data() + row * G, G, 0.0f);
    }
    for (const auto& [i, n] : s->spans)
        gemm(false, false, int(n), int(G), int(D), 1.0f, xs.data() + i * D, int(D), kernel.data(), int(G), 1.0f,
             s->gates.data() + i * G, int(G));

    Tensor y = Tensor::empty(return_sequences ? Shape{B, T, U} : Shape{B, U});
    Tensor h_out = Tensor::empty({B, U});
    const StepForward step{*s, recurrent_kernel.data(), b_in && reset_after ? b_in + G : nullptr};
    // The rows of a batch are independent through all T steps: each part runs rows [b0, b1).
    parallel_for(B, kMinRowsPerThread, [&](int64_t b0, int64_t b1) {
        const int64_t rows = b1 - b0, ld = T * G;
        std::vector<float> h(rows * U, 0.0f), hr(rows * G), rh(rows * U);
        for (int64_t i = 0; h0.defined() && i < rows; ++i)
            std::memcpy(&h[i * U], h0.data() + s->order.row(b0 + i) * U, static_cast<size_t>(U) * sizeof(float));
        for (int64_t t = 0; t < T; ++t) {
            float* g = s->gates.data() + (b0 * T + t) * G;
            float* ex = grad ? s->ex.data() + (b0 * T + t) * U : nullptr;  // row i at ex + i * T * U
            const int64_t real = s->order.real_prefix(b0, rows, t);  // the step runs on rows [0, real)
            for (int64_t i = 0; grad && i < rows; ++i) {
                std::memcpy(s->hp.data() + ((b0 + i) * T + t) * U, &h[i * U], static_cast<size_t>(U) * sizeof(float));
                if (i >= real) std::fill_n(ex + i * T * U, U, 0.0f);  // finite for the products of the backward
            }
            if (real > 0) step(real, g, ld, h.data(), hr.data(), rh.data(), ex, T * U);
            for (int64_t i = 0; i < rows; ++i) {
                if (i < real && s->order.real(b0 + i, t)) update_state_row(U, g + i * ld, &h[i * U]);  // masked: h carries over
                if (return_sequences)
                    std::memcpy(y.data() + (s->order.row(b0 + i) * T + t) * U, &h[i * U], static_cast<size_t>(U) * sizeof(float));
            }
        }
        for (int64_t i = 0; i < rows; ++i) {
            std::memcpy(h_out.data() + s->order.row(b0 + i) * U, &h[i * U], static_cast<size_t>(U) * sizeof(float));
            if (!return_sequences)
                std::memcpy(y.data() + s->order.row(b0 + i) * U, &h[i * U], static_cast<size_t>(U) * sizeof(float));
        }
    });

    if (grad) {
        y.attach_grad();
        if (h_last) h_out.attach_grad();
        auto slot = [](const Tensor& t) { return t.defined() && t.needs_grad() ? t.grad_slot() : GradSlot(); };
        Grads g{y.grad_slot(), h_last ? h_out.grad_slot() : GradSlot(), slot(x), slot(kernel), slot(recurrent_kernel),
                slot(bias), slot(h0)};
        tape::record(kOp, [s, g] { backward(*s, g); });
    }
    if (h_last) *h_last = h_out;
    return y;
}

}  // namespace tn
