// The fused LSTM: forward and hand-written backward (BPTT) of a whole sequence.
//
// Internally everything is time-major, so that each step reads and writes contiguous blocks and
// the weight gradients become single GEMMs over all T*B rows:
//   gates  (T, B, 4U)     z_t = bias + x_t @ kernel + h_{t-1} @ recurrent_kernel, then activated in place
//   h, c   (T+1, B, U)    h[0] = c[0] = 0; h[t+1], c[t+1] are the states after step t
//   act_c  (T, B, U)      act(c_new) of step t
// z_t is computed step by step (two GEMMs, x_t read in place as rows of x with stride T*D), so that it
// is still in cache when the cell reads it: one (T*B, D) @ (D, 4U) product up front was memory-bound
// (it writes all T*B*4U gates, 51 MB for T = 500) and ran at half the speed of the per-step ones.
// Without a gradient (inference) nothing is kept for a backward: one step of gates and act_c and
// two of h and c (the previous and the current) are all the buffers, and they stay in cache.
//
// Equations of step t (σ = recurrent activation, act = activation, m = mask[b, t] in {0, 1}):
//   i = σ(z_i)  f = σ(z_f)  g = act(z_c)  o = σ(z_o)
//   c_new = f * c_{t-1} + i * g          h_new = o * act(c_new)
//   c_t = m c_new + (1-m) c_{t-1}        h_t = m h_new + (1-m) h_{t-1}       output y_t = h_t
// Backward, given dh = dL/dh_t (from later steps, y_t, h_last) and dc = dL/dc_t:
//   (m = 1)  dc'  = dc + dh * o * act'(c_new)
//            dz_o = dh * act(c_new) * σ'(z_o)     dz_i = dc' * g * σ'(z_i)
//            dz_f = dc' * c_{t-1} * σ'(z_f)       dz_c = dc' * i * act'(z_c)
//            dc_{t-1} = dc' * f                   dh_{t-1} = dz @ recurrent_kernelᵀ
//   (m = 0)  dz = 0,  dc_{t-1} = dc,  dh_{t-1} = dh
// and over all steps at once (dZ = all dz, (T*B, 4U)):
//   d kernel += xtᵀ @ dZ (xt = x time-major)    d recurrent_kernel += h[0..T-1]ᵀ @ dZ    d bias += Σ_rows dZ    dxt = dZ @ kernelᵀ
// (d bias, and with D = 1 also d kernel and dx, are summed step by step instead, while dz is in cache).
// Every derivative is taken from the activation's output y (layers/recurrent_activation.h), so only
// outputs are stored.
//
// Padded steps are skipped, as PyTorch's packed sequences do. With a mask, the rows are taken in
// order of their number of real steps, most first (`order`, layers/row_order.h: internal row k is
// batch row order.row(k)), so that for padded batches (each row's real steps in one run, post- or
// pre-padded) the rows that are real at step t are the first rows of every part. The step's
// products, cell and backward then run on those rows only; the others carry their state (and
// gradient) through. When the real rows of a step are not such a prefix, the step runs on all rows
// and masks after, as without the ordering. x, y, the states and their gradients are read and
// written through `order`.
#include "layers/lstm_kernel.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "core/buffer.h"
#include "core/cpu_dispatch.h"
#include "core/error.h"
#include "core/gemm.h"
#include "core/parallel.h"
#include "core/tape.h"
#include "core/vmath.h"
#include "layers/mask.h"
#include "layers/recurrent_activation.h"
#include "layers/row_order.h"

namespace tn {

namespace {

constexpr const char* kLstmOp = "lstm_sequence";
// Fewer rows per thread than this make the per-step products too thin to pay for the hand-off.
constexpr int64_t kMinRowsPerThread = 8;

struct NamedActivation {
    const char* name;
    LstmActivation kind;
};
constexpr NamedActivation kNames[] = {{"linear", LstmActivation::linear},
                                      {"relu", LstmActivation::relu},
                                      {"sigmoid", LstmActivation::sigmoid},
                                      {"hard_sigmoid", LstmActivation::hard_sigmoid},
                                      {"tanh", LstmActivation::tanh}};

// The row loops of this file are TN_VECTOR_KERNEL functions (core/cpu_dispatch.h): one version per
// CPU level. activate (layers/recurrent_activation.h) reaches the dispatched core/vmath for sigmoid
// and tanh.

// What the backward reads, allocated once per forward. The buffers are not zero-filled (each is
// written in full before it is read) and come from the thread's buffer cache (core/buffer.h), so
// that a training step reuses the megabytes of the step before.
struct LstmSaved {
    int64_t B = 0, T = 0, D = 0, U = 0;
    LstmActivation act = LstmActivation::tanh, rec_act = LstmActivation::sigmoid;
    bool return_sequences = false;
    bool initial_state = false;  // h0, c0 given: h[0] is not zero
    FloatBuffer gates, h, c, act_c;
    RowOrder order;  // the mask and the internal row order (layers/row_order.h)
    Tensor x, kernel, recurrent_kernel;  // values (detached), x in internal row order
};

// z = bias + x kernel for one row when D = 1 (kernel is then a row of 4U); bias may be null.
TN_VECTOR_KERNEL void input_projection_row(int64_t G, float x, const float* __restrict kernel, const float* __restrict bias,
                          float* __restrict z) {
    if (bias) {
#pragma omp simd
        for (int64_t j = 0; j < G; ++j) z[j] = bias[j] + x * kernel[j];
    } else {
#pragma omp simd
        for (int64_t j = 0; j < G; ++j) z[j] = x * kernel[j];
    }
}

// c_new = f * c_{t-1} + i * g, for one row of gates (U each).
TN_VECTOR_KERNEL void cell_state_row(int64_t U, const float* __restrict gate, const float* __restrict c_before, float* __restrict c_after) {
#pragma omp simd
    for (int64_t u = 0; u < U; ++u) c_after[u] = gate[U + u] * c_before[u] + gate[u] * gate[2 * U + u];
}

// The backward of step t for one row, in one pass (Act = activation, Rec = recurrent activation;
// dct = dL/dc_new, see the equations at the top):
//   dct = dc + dh o act'(c_new)   dz_i = dct g σ'(i)   dz_f = dct c_{t-1} σ'(f)   dz_c = dct i act'(g)
//   dz_o = dh act(c_new) σ'(o)    dc_{t-1} = dct f
template <LstmActivation Act, LstmActivation Rec>
TN_VECTOR_KERNEL void cell_backward_row(int64_t U, const float* __restrict gate, const float* __restrict a,
                       const float* __restrict c_before, const float* __restrict dh, const float* __restrict dc,
                       float* __restrict dz, float* __restrict dc_prev) {
    const float *i = gate, *f = gate + U, *g = gate + 2 * U, *o = gate + 3 * U;
#pragma omp simd
    for (int64_t u = 0; u < U; ++u) {
        const float dct = dc[u] + dh[u] * o[u] * derivative<Act>(a[u]);
        dz[u] = dct * g[u] * derivative<Rec>(i[u]);
        dz[U + u] = dct * c_before[u] * derivative<Rec>(f[u]);
        dz[2 * U + u] = dct * i[u] * derivative<Act>(g[u]);
        dz[3 * U + u] = dh[u] * a[u] * derivative<Rec>(o[u]);
        dc_prev[u] = dct * f[u];
    }
}

// cell_backward_row for a pair of activations known at run time (5 x 5 instantiations).
using CellBackwardRow = void (*)(int64_t, const float*, const float*, const float*, const float*, const float*,
                                 float*, float*);
template <LstmActivation Act>
CellBackwardRow cell_backward_for(LstmActivation rec) {
    switch (rec) {
        case LstmActivation::linear: return cell_backward_row<Act, LstmActivation::linear>;
        case LstmActivation::relu: return cell_backward_row<Act, LstmActivation::relu>;
        case LstmActivation::sigmoid: return cell_backward_row<Act, LstmActivation::sigmoid>;
        case LstmActivation::hard_sigmoid: return cell_backward_row<Act, LstmActivation::hard_sigmoid>;
        case LstmActivation::tanh: return cell_backward_row<Act, LstmActivation::tanh>;
    }
    return nullptr;
}
CellBackwardRow cell_backward_for(LstmActivation act, LstmActivation rec) {
    switch (act) {
        case LstmActivation::linear: return cell_backward_for<LstmActivation::linear>(rec);
        case LstmActivation::relu: return cell_backward_for<LstmActivation::relu>(rec);
        case LstmActivation::sigmoid: return cell_backward_for<LstmActivation::sigmoid>(rec);
        case LstmActivation::hard_sigmoid: return cell_backward_for<LstmActivation::hard_sigmoid>(rec);
        case LstmActivation::tanh: return cell_backward_for<LstmActivation::tanh>(rec);
    }
    return nullptr;
}

// h_new = o * act(c_new) for `rows` rows (o is the last quarter of each row of gates).
TN_VECTOR_KERNEL void hidden_state_rows(int64_t rows, int64_t U, const float* __restrict gates, const float* __restrict a,
                                        float* __restrict h) {
    for (int64_t r = 0; r < rows; ++r) {
        const float* o = gates + r * 4 * U + 3 * U;
#pragma omp simd
        for (int64_t u = 0; u < U; ++u) h[r * U + u] = o[u] * a[r * U + u];
    }
}

// dh += the rows' step t of y's gradient (y (B, T, U), row r of the part is batch row b0 + r).
TN_VECTOR_KERNEL void add_output_gradient(int64_t rows, int64_t T, int64_t U, const float* __restrict gy_step,
                                          float* __restrict dh) {
    for (int64_t r = 0; r < rows; ++r) {
        const float* gy_row = gy_step + r * T * U;
#pragma omp simd
        for (int64_t u = 0; u < U; ++u) dh[r * U + u] += gy_row[u];
    }
}

// What one row's dz (4U) adds to the sums of its part while it is in cache: db += dz; with D = 1
// also dk += x dz (if dk) and *dx += dz · kernel (if dx).
TN_VECTOR_KERNEL void add_step_sums(int64_t G, const float* __restrict dz, float* __restrict db, float x,
                                    float* __restrict dk, const float* __restrict kernel, float* dx) {
    if (db) {
#pragma omp simd
        for (int64_t j = 0; j < G; ++j) db[j] += dz[j];
    }
    if (dk) {
#pragma omp simd
        for (int64_t j = 0; j < G; ++j) dk[j] += x * dz[j];
    }
    if (dx) {
        float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
        for (int64_t j = 0; j < G; ++j) dot += dz[j] * kernel[j];
        *dx += dot;
    }
}

void check_inputs(const Tensor& x, const Tensor& kernel, const Tensor& recurrent_kernel, const Tensor& bias) {
    if (!x.defined() || x.ndim() != 3)
        shape_error(kLstmOp, "x must be (batch, steps, features), got " + (x.defined() ? shape_str(x.shape()) : "undefined"));
    if (x.dim(1) < 1) shape_error(kLstmOp, "x has no time steps (T = 0): " + shape_str(x.shape()));
    if (!recurrent_kernel.defined() || recurrent_kernel.ndim() != 2 || recurrent_kernel.dim(0) < 1 ||
        recurrent_kernel.dim(1) != 4 * recurrent_kernel.dim(0))
        shape_error(kLstmOp, "recurrent_kernel must be (units, 4*units), got " +
                             (recurrent_kernel.defined() ? shape_str(recurrent_kernel.shape()) : "undefined"));
    const int64_t D = x.dim(2), U = recurrent_kernel.dim(0);
    if (!kernel.defined() || kernel.shape() != Shape{D, 4 * U})
        shape_error(kLstmOp, "kernel must be " + shape_str({D, 4 * U}) + " for x " + shape_str(x.shape()) +
                             " and recurrent_kernel " + shape_str(recurrent_kernel.shape()) + ", got " +
                             (kernel.defined() ? shape_str(kernel.shape()) : "undefined"));
    if (bias.defined() && bias.shape() != Shape{4 * U})
        shape_error(kLstmOp, "bias must be " + shape_str({4 * U}) + ", got " + shape_str(bias.shape()));
}

// The backward of the whole sequence (see the equations at the top of this file).
void backward(const LstmSaved& s, const GradSlot& gy, const GradSlot& gh_last, const GradSlot& gc_last,
              const GradSlot& gx, const GradSlot& gkernel, const GradSlot& grec, const GradSlot& gbias,
              const GradSlot& gh0, const GradSlot& gc0) {
    const bool y_has = gy && gy->has();
    const bool h_has = gh_last && gh_last->has();
    const bool c_has = gc_last && gc_last->has();
    if (!y_has && !h_has && !c_has) return;
    const int64_t B = s.B, T = s.T, D = s.D, U = s.U, G = 4 * U, BU = B * U;

    FloatBuffer dZ(T * B * G);
    const CellBackwardRow cell_backward = cell_backward_for(s.act, s.rec_act);
    // d bias = column sums of dZ, summed by each part over its rows (while dz is in cache) into
    // part_sums[b0], then over the parts in row order, so the sum does not depend on timing. With
    // D = 1, d kernel (Σ x dz) is summed likewise and dx (dz · kernel) is written per step: as
    // products they would be matrix-vector ones that pack all of dZ for one row or column.
    const bool by_step = D == 1;
    struct PartSums {
        std::vector<float> db, dk;
    };
    std::vector<PartSums> part_sums(B);
    float* g_x = gx && by_step ? gx->acc(B * T) : nullptr;  // (B, T, 1): each part writes its own rows
    float* g_h0 = gh0 ? gh0->acc(BU) : nullptr;              // (B, U), likewise
    float* g_c0 = gc0 ? gc0->acc(BU) : nullptr;
    // Backward through time, rows [b0, b1) at a time: like the forward, the rows are independent
    // until the weight gradients, which are summed over all rows after.
    parallel_for(B, kMinRowsPerThread, [&](int64_t b0, int64_t b1) {
        const int64_t rows = b1 - b0, RU = rows * U;
        std::vector<float> dh(RU, 0.0f), dh_prev(RU), dc(RU, 0.0f), dc_prev(RU);
        PartSums sums{std::vector<float>(gbias ? G : 0, 0.0f), std::vector<float>(gkernel && by_step ? G : 0, 0.0f)};
        for (int64_t r = 0; r < rows; ++r) {  // the gradients into h_T, c_T (and y = h_T) of batch row row(b0 + r)
            const int64_t b = s.order.row(b0 + r);
            if (h_has) std::copy_n(gh_last->g.begin() + b * U, U, dh.begin() + r * U);
            if (c_has) std::copy_n(gc_last->g.begin() + b * U, U, dc.begin() + r * U);
            if (y_has && !s.return_sequences)
                for (int64_t u = 0; u < U; ++u) dh[r * U + u] += gy->g[b * U + u];
        }

        for (int64_t t = T - 1; t >= 0; --t) {
            if (y_has && s.return_sequences && s.order.identity())  // y is (B, T, U): step t of row b
                add_output_gradient(rows, T, U, gy->g.data() + (b0 * T + t) * U, dh.data());
            else if (y_has && s.return_sequences)
                for (int64_t r = 0; r < rows; ++r)
                    add_output_gradient(1, T, U, gy->g.data() + (s.order.row(b0 + r) * T + t) * U, &dh[r * U]);
            // Rows [real, rows) are padded at this step (when real < rows, they are exactly those).
            const int64_t real = s.order.real_prefix(b0, rows, t);

            const float* gate = &s.gates[(t * B + b0) * G];
            const float* a = &s.act_c[t * BU + b0 * U];
            const float* c_before = &s.c[t * BU + b0 * U];
            float* dz = &dZ[(t * B + b0) * G];
            for (int64_t r = 0; r < real; ++r)
                cell_backward(U, gate + r * G, a + r * U, c_before + r * U, &dh[r * U], &dc[r * U], dz + r * G,
                              &dc_prev[r * U]);
            // Masked rows pass dh and dc straight through to the previous step.
            float beta = 0.0f;
            if (s.order.masked()) {
                std::fill(dh_prev.begin(), dh_prev.end(), 0.0f);
                beta = 1.0f;
                for (int64_t r = 0; r < rows; ++r) {
                    if (s.order.real(b0 + r, t)) continue;
                    std::fill(dz + r * G, dz + (r + 1) * G, 0.0f);
                    std::copy(&dh[r * U], &dh[(r + 1) * U], &dh_prev[r * U]);
                    std::copy(&dc[r * U], &dc[(r + 1) * U], &dc_prev[r * U]);
                }
            }
            for (int64_t r = 0; r < rows; ++r)
                add_step_sums(G, dz + r * G, gbias ? sums.db.data() : nullptr,
                              sums.dk.empty() ? 0.0f : s.x.data()[(b0 + r) * T + t],
                              sums.dk.empty() ? nullptr : sums.dk.data(), g_x ? s.kernel.data() : nullptr,
                              g_x ? &g_x[s.order.row(b0 + r) * T + t] : nullptr);
            // dh_{t-1} (+)= dz @ recurrent_kernelᵀ: (real, 4U) @ (4U, U) (the padded rows' dz is 0); at
            // t = 0 that is d h0, needed only when h0 was given
            if ((t > 0 || g_h0) && real > 0)
                gemm(false, true, int(real), int(U), int(G), 1.0f, dz, int(G), s.recurrent_kernel.data(), int(G), beta,
                     dh_prev.data(), int(U));
            dh.swap(dh_prev);
            dc.swap(dc_prev);
        }
        // dh and dc now hold d h_{-1} and d c_{-1}: the gradients of the initial state.
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t u = 0; u < U; ++u) {
                if (g_h0) g_h0[s.order.row(b0 + r) * U + u] += dh[static_cast<size_t>(r * U + u)];
                if (g_c0) g_c0[s.order.row(b0 + r) * U + u] += dc[static_cast<size_t>(r * U + u)];
            }
        part_sums[b0] = std::move(sums);
    });
    float* gb = gbias ? gbias->acc(G) : nullptr;
    float* gk = gkernel && by_step ? gkernel->acc(G) : nullptr;
    for (const PartSums& sums : part_sums) {
        for (size_t j = 0; j < sums.db.size(); ++j) gb[j] += sums.db[j];
        for (size_t j = 0; j < sums.dk.size(); ++j) gk[j] += sums.dk[j];
    }

    const int rows = int(T * B);
    if (gkernel && !by_step) {  // d kernel (D, 4U) += xtᵀ (D, T*B) @ dZ (T*B, 4U)
        FloatBuffer xt(T * B * D);
        const float* px = s.x.data();
        for (int64_t t = 0; t < T; ++t)
            for (int64_t b = 0; b < B; ++b)
                for (int64_t d = 0; d < D; ++d) xt[(t * B + b) * D + d] = px[(b * T + t) * D + d];
        gemm(true, false, int(D), int(G), rows, 1.0f, xt.data(), int(D), dZ.data(), int(G), 1.0f,
             gkernel->acc(D * G), int(G));
    }
    // d recurrent_kernel (U, 4U) += h[0..T-1]ᵀ (U, T*B) @ dZ[0..T-1]; a zero initial state h[0] adds
    // nothing, so it is left out then
    const int64_t first = s.initial_state ? 0 : 1;
    if (grec && rows > first * B)
        gemm(true, false, int(U), int(G), rows - int(first * B), 1.0f, s.h.data() + first * BU, int(U),
             dZ.data() + first * B * G, int(G), 1.0f, grec->acc(U * G), int(G));
    if (gx && !by_step) {  // dxt = dZ @ kernelᵀ (T*B, D), then back to (B, T, D)
        FloatBuffer dxt(T * B * D);
        gemm(false, true, rows, int(D), int(G), 1.0f, dZ.data(), int(G), s.kernel.data(), int(G), 0.0f, dxt.data(),
             int(D));
        float* g = gx->acc(B * T * D);
        for (int64_t t = 0; t < T; ++t)
            for (int64_t b = 0; b < B; ++b)
                for (int64_t d = 0; d < D; ++d) g[(s.order.row(b) * T + t) * D + d] += dxt[(t * B + b) * D + d];
    }
}

}  // namespace

LstmActivation lstm_activation_from_name(const std::string& name, const std::string& context,
                                         const std::string& layer_kind) {
    for (const auto& a : kNames)
        if (name == a.name) return a.kind;
    std::string valid;
    for (const auto& a : kNames) valid += std::string(valid.empty() ? "" : ", ") + a.name;
    value_error(context, "activation '" + name + "' cannot be used in " + layer_kind + "; valid activations are: " + valid);
}

Tensor lstm_sequence(const Tensor& x, const Tensor& kernel, const Tensor& recurrent_kernel, const Tensor& bias,
                     const Tensor& mask, LstmActivation activation, LstmActivation recurrent_activation,
                     bool return_sequences, Tensor* h_last, Tensor* c_last, const Tensor& h0, const Tensor& c0) {
    check_inputs(x, kernel, recurrent_kernel, bias);
    const int64_t B = x.dim(0), T = x.dim(1), D = x.dim(2), U = recurrent_kernel.dim(0), G = 4 * U, BU = B * U;
    if (mask.defined()) check_mask(kLstmOp, mask, B, T);
    if (h0.defined() != c0.defined()) value_error(kLstmOp, "the initial state needs both h0 and c0");
    for (const Tensor* state : {&h0, &c0})
        if (state->defined() && state->shape() != Shape{B, U})
            shape_error(kLstmOp, "the initial state must be (batch, units) = " + shape_str({B, U}) + ", got " +
                                     shape_str(state->shape()));
    const bool initial = h0.defined();

    const bool grad = tape::wants_grad({&x, &kernel, &recurrent_kernel, &bias, &h0, &c0});
    auto s = std::make_shared<LstmSaved>();
    s->B = B, s->T = T, s->D = D, s->U = U;
    s->act = activation, s->rec_act = recurrent_activation, s->return_sequences = return_sequences;
    s->initial_state = initial;
    s->gates = FloatBuffer((grad ? T : 1) * B * G);
    s->act_c = FloatBuffer((grad ? T : 1) * BU);
    s->h = FloatBuffer((grad ? T + 1 : 2) * BU);
    s->c = FloatBuffer((grad ? T + 1 : 2) * BU);
    s->order = RowOrder(mask, B, T);
    const Tensor xs = s->order.in_order(x);
    if (grad) s->x = xs.detach(), s->kernel = kernel.detach(), s->recurrent_kernel = recurrent_kernel.detach();
    if (initial) {
        for (int64_t k = 0; k < B; ++k) {
            std::memcpy(s->h.data() + k * U, h0.data() + s->order.row(k) * U, static_cast<size_t>(U) * sizeof(float));
            std::memcpy(s->c.data() + k * U, c0.data() + s->order.row(k) * U, static_cast<size_t>(U) * sizeof(float));
        }
    } else {  // zero initial state
        std::fill_n(s->h.data(), BU, 0.0f);
        std::fill_n(s->c.data(), BU, 0.0f);
    }
    // The state after step k - 1 (k = 0: the initial state): all kept, or a ring of two.
    const auto state = [&](FloatBuffer& buf, int64_t k) { return buf.data() + (grad ? k : k % 2) * BU; };

    Tensor y = Tensor::empty(return_sequences ? Shape{B, T, U} : Shape{B, U});
    const float* px = xs.data();
    // The rows of a batch are independent through all T steps: each part runs rows [b0, b1).
    parallel_for(B, kMinRowsPerThread, [&](int64_t b0, int64_t b1) {
        const int64_t rows_all = b1 - b0;
        for (int64_t t = 0; t < T; ++t) {
            // The products and the cell run on the first `rows` rows: all, or those real at step t.
            const int64_t rows = s->order.real_prefix(b0, rows_all, t);
            float* z = s->gates.data() + (grad ? t * B * G : 0) + b0 * G;
            float* a = s->act_c.data() + (grad ? t * BU : 0) + b0 * U;
            const float* h_before = state(s->h, t) + b0 * U;
            const float* c_before = state(s->c, t) + b0 * U;
            float* h_after = state(s->h, t + 1) + b0 * U;
            float* c_after = state(s->c, t + 1) + b0 * U;
            // z_t = bias + x_t @ kernel + h_{t-1} @ recurrent_kernel: (B, D) @ (D, 4U) + (B, U) @ (U, 4U);
            // a zero h_{-1} adds nothing
            if (D == 1) {  // an outer product: one loop is twice as fast as sgemm with K = 1 plus the bias copy
                for (int64_t r = 0; r < rows; ++r)
                    input_projection_row(G, px[(b0 + r) * T + t], kernel.data(), bias.defined() ? bias.data() : nullptr,
                                         z + r * G);
            } else if (rows > 0) {
                if (bias.defined())
                    for (int64_t r = 0; r < rows; ++r)
                        std::memcpy(z + r * G, bias.data(), static_cast<size_t>(G) * sizeof(float));
                gemm(false, false, int(rows), int(G), int(D), 1.0f, px + b0 * T * D + t * D, int(T * D), kernel.data(),
                     int(G), bias.defined() ? 1.0f : 0.0f, z, int(G));
            }
            if ((t > 0 || initial) && rows > 0)
                gemm(false, false, int(rows), int(G), int(U), 1.0f, h_before, int(U), recurrent_kernel.data(), int(G),
                     1.0f, z, int(G));
            for (int64_t r = 0; r < rows; ++r) {  // gates in place: [i f] = σ, g = act, o = σ
                float* zr = z + r * G;
                activate(recurrent_activation, zr, zr, 2 * U);
                activate(activation, zr + 2 * U, zr + 2 * U, U);
                activate(recurrent_activation, zr + 3 * U, zr + 3 * U, U);
            }
            for (int64_t r = 0; r < rows; ++r) cell_state_row(U, z + r * G, c_before + r * U, c_after + r * U);
            activate(activation, c_after, a, rows * U);
            hidden_state_rows(rows, U, z, a, h_after);
            if (mask.defined())  // a masked row carries its state through unchanged
                for (int64_t r = 0; r < rows_all; ++r)
                    if (!s->order.real(b0 + r, t)) {
                        std::memcpy(h_after + r * U, h_before + r * U, static_cast<size_t>(U) * sizeof(float));
                        std::memcpy(c_after + r * U, c_before + r * U, static_cast<size_t>(U) * sizeof(float));
                    }
            if (return_sequences)  // y[b, t] = h_t
                for (int64_t r = 0; r < rows_all; ++r)
                    std::memcpy(y.data() + (s->order.row(b0 + r) * T + t) * U, h_after + r * U,
                                static_cast<size_t>(U) * sizeof(float));
        }
    });
    const auto last_state = [&](FloatBuffer& states) {  // the state after the last step, (B, U), batch order
        Tensor t = Tensor::empty({B, U});
        for (int64_t k = 0; k < B; ++k)
            std::memcpy(t.data() + s->order.row(k) * U, state(states, T) + k * U, static_cast<size_t>(U) * sizeof(float));
        return t;
    };
    if (!return_sequences) y = last_state(s->h);

    Tensor h_out, c_out;
    if (h_last) h_out = last_state(s->h);
    if (c_last) c_out = last_state(s->c);

    if (grad) {
        y.attach_grad();
        if (h_last) h_out.attach_grad();
        if (c_last) c_out.attach_grad();
        auto slot = [](const Tensor& t) { return t.defined() && t.needs_grad() ? t.grad_slot() : GradSlot(); };
        tape::record(kLstmOp, [s, gy = y.grad_slot(), ghl = slot(h_out), gcl = slot(c_out), gx = slot(x),
                           gk = slot(kernel), gr = slot(recurrent_kernel), gb = slot(bias), gh0 = slot(h0),
                           gc0 = slot(c0)] {
            backward(*s, gy, ghl, gcl, gx, gk, gr, gb, gh0, gc0);
        });
    }
    if (h_last) *h_last = h_out;
    if (c_last) *c_last = c_out;
    return y;
}

}  // namespace tn
