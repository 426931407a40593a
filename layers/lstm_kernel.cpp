// The fused LSTM: forward and hand-written backward (BPTT) of a whole sequence.
//
// Internally everything is time-major, so that each step reads and writes contiguous blocks and
// the weight gradients become single GEMMs over all T*B rows:
//   xt     (T, B, D)      x transposed once (cheap: D is small next to 4U)
//   gates  (T, B, 4U)     z_t = x_t @ kernel + bias + h_{t-1} @ recurrent_kernel, then activated in place
//   h, c   (T+1, B, U)    h[0] = c[0] = 0; h[t+1], c[t+1] are the states after step t
//   act_c  (T, B, U)      act(c_new) of step t
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
//   d kernel += xtᵀ @ dZ    d recurrent_kernel += h[0..T-1]ᵀ @ dZ    d bias += Σ_rows dZ    dxt = dZ @ kernelᵀ
// Every derivative is taken from the activation's output y (so only outputs are stored):
//   tanh 1 - y²,  sigmoid y (1 - y),  hard_sigmoid 0.2 where 0 < y < 1,  relu [y > 0],  linear 1.
#include "layers/lstm_kernel.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "core/error.h"
#include "core/gemm.h"
#include "core/tape.h"
#include "core/vmath.h"
#include "layers/mask.h"

namespace tn {

namespace {

constexpr const char* kOp = "lstm_sequence";

struct NamedActivation {
    const char* name;
    LstmActivation kind;
};
constexpr NamedActivation kNames[] = {{"linear", LstmActivation::linear},
                                      {"relu", LstmActivation::relu},
                                      {"sigmoid", LstmActivation::sigmoid},
                                      {"hard_sigmoid", LstmActivation::hard_sigmoid},
                                      {"tanh", LstmActivation::tanh}};

// y = f(x) over n contiguous values (x == y allowed).
void activate(LstmActivation f, const float* x, float* y, int64_t n) {
    switch (f) {
        case LstmActivation::linear:
            if (x != y) std::memmove(y, x, static_cast<size_t>(n) * sizeof(float));
            return;
        case LstmActivation::relu:
#pragma omp simd
            for (int64_t i = 0; i < n; ++i) y[i] = std::max(x[i], 0.0f);
            return;
        case LstmActivation::sigmoid:
            vmath::sigmoid(x, y, n);
            return;
        case LstmActivation::hard_sigmoid:  // Keras 2: clip(0.2 x + 0.5, 0, 1)
#pragma omp simd
            for (int64_t i = 0; i < n; ++i) y[i] = std::min(1.0f, std::max(0.0f, 0.2f * x[i] + 0.5f));
            return;
        case LstmActivation::tanh:
            vmath::tanh(x, y, n);
            return;
    }
}

// g *= f'(x), with f' written through the output y = f(x).
void scale_by_derivative(LstmActivation f, const float* y, float* g, int64_t n) {
    switch (f) {
        case LstmActivation::linear:
            return;
        case LstmActivation::relu:
#pragma omp simd
            for (int64_t i = 0; i < n; ++i) g[i] = y[i] > 0.0f ? g[i] : 0.0f;
            return;
        case LstmActivation::sigmoid:
#pragma omp simd
            for (int64_t i = 0; i < n; ++i) g[i] *= y[i] * (1.0f - y[i]);
            return;
        case LstmActivation::hard_sigmoid:  // slope 0.2 strictly inside (-2.5, 2.5), i.e. 0 < y < 1
#pragma omp simd
            for (int64_t i = 0; i < n; ++i) g[i] = (y[i] > 0.0f && y[i] < 1.0f) ? 0.2f * g[i] : 0.0f;
            return;
        case LstmActivation::tanh:
#pragma omp simd
            for (int64_t i = 0; i < n; ++i) g[i] *= 1.0f - y[i] * y[i];
            return;
    }
}

// A float buffer that is not zero-filled: most buffers here are written in full before they are
// read, and filling megabytes of them on every call showed up in the profile.
using Buffer = std::unique_ptr<float[]>;
Buffer uninitialized(int64_t n) { return std::make_unique_for_overwrite<float[]>(static_cast<size_t>(n)); }

// What the backward reads, allocated once per forward.
struct Saved {
    int64_t B = 0, T = 0, D = 0, U = 0;
    LstmActivation act = LstmActivation::tanh, rec_act = LstmActivation::sigmoid;
    bool return_sequences = false;
    Buffer xt, gates, h, c, act_c;
    std::vector<float> mask;  // (B, T) copy, empty when unmasked
    Tensor kernel, recurrent_kernel;  // values (detached)
};

// c_new = f * c_{t-1} + i * g, for one row of gates (U each).
void cell_state_row(int64_t U, const float* __restrict gate, const float* __restrict c_before, float* __restrict c_after) {
#pragma omp simd
    for (int64_t u = 0; u < U; ++u) c_after[u] = gate[U + u] * c_before[u] + gate[u] * gate[2 * U + u];
}

// The step's backward for one row, before the gate activations' derivatives (dct = dc + dho):
//   dz_i = dct g   dz_f = dct c_{t-1}   dz_c = dct i   dz_o = dh act(c_new)   dc_{t-1} = dct f
void cell_backward_row(int64_t U, const float* __restrict gate, const float* __restrict a,
                       const float* __restrict c_before, const float* __restrict dh, const float* __restrict dc,
                       const float* __restrict dho, float* __restrict dz, float* __restrict dc_prev) {
#pragma omp simd
    for (int64_t u = 0; u < U; ++u) {
        const float dct = dc[u] + dho[u];
        dz[u] = dct * gate[2 * U + u];
        dz[U + u] = dct * c_before[u];
        dz[2 * U + u] = dct * gate[u];
        dz[3 * U + u] = dh[u] * a[u];
        dc_prev[u] = dct * gate[U + u];
    }
}

void check_inputs(const Tensor& x, const Tensor& kernel, const Tensor& recurrent_kernel, const Tensor& bias) {
    if (!x.defined() || x.ndim() != 3)
        shape_error(kOp, "x must be (batch, steps, features), got " + (x.defined() ? shape_str(x.shape()) : "undefined"));
    if (x.dim(1) < 1) shape_error(kOp, "x has no time steps (T = 0): " + shape_str(x.shape()));
    if (!recurrent_kernel.defined() || recurrent_kernel.ndim() != 2 || recurrent_kernel.dim(0) < 1 ||
        recurrent_kernel.dim(1) != 4 * recurrent_kernel.dim(0))
        shape_error(kOp, "recurrent_kernel must be (units, 4*units), got " +
                             (recurrent_kernel.defined() ? shape_str(recurrent_kernel.shape()) : "undefined"));
    const int64_t D = x.dim(2), U = recurrent_kernel.dim(0);
    if (!kernel.defined() || kernel.shape() != Shape{D, 4 * U})
        shape_error(kOp, "kernel must be " + shape_str({D, 4 * U}) + " for x " + shape_str(x.shape()) +
                             " and recurrent_kernel " + shape_str(recurrent_kernel.shape()) + ", got " +
                             (kernel.defined() ? shape_str(kernel.shape()) : "undefined"));
    if (bias.defined() && bias.shape() != Shape{4 * U})
        shape_error(kOp, "bias must be " + shape_str({4 * U}) + ", got " + shape_str(bias.shape()));
}

// The backward of the whole sequence (see the equations at the top of this file).
void backward(const Saved& s, const GradSlot& gy, const GradSlot& gh_last, const GradSlot& gc_last,
              const GradSlot& gx, const GradSlot& gkernel, const GradSlot& grec, const GradSlot& gbias) {
    const bool y_has = gy && gy->has();
    const bool h_has = gh_last && gh_last->has();
    const bool c_has = gc_last && gc_last->has();
    if (!y_has && !h_has && !c_has) return;
    const int64_t B = s.B, T = s.T, D = s.D, U = s.U, G = 4 * U, BU = B * U;

    Buffer dZ = uninitialized(T * B * G);
    std::vector<float> dh(BU, 0.0f), dh_prev(BU), dc(BU, 0.0f), dc_prev(BU), dho(BU);
    if (h_has) std::copy(gh_last->g.begin(), gh_last->g.end(), dh.begin());
    if (c_has) std::copy(gc_last->g.begin(), gc_last->g.end(), dc.begin());
    if (y_has && !s.return_sequences)
        for (int64_t k = 0; k < BU; ++k) dh[k] += gy->g[k];

    for (int64_t t = T - 1; t >= 0; --t) {
        if (y_has && s.return_sequences) {  // y is (B, T, U): step t of row b
            const float* gy_t = gy->g.data() + t * U;
            for (int64_t b = 0; b < B; ++b) {
                float* dh_row = &dh[b * U];
                const float* gy_row = gy_t + b * T * U;
#pragma omp simd
                for (int64_t u = 0; u < U; ++u) dh_row[u] += gy_row[u];
            }
        }

        const float* gate = &s.gates[t * B * G];
        const float* a = &s.act_c[t * BU];
        const float* c_before = &s.c[t * BU];
        float* dz = &dZ[t * B * G];
        // dho = dh * o * act'(c_new); then dc' = dc + dho
        for (int64_t b = 0; b < B; ++b) {
            const float* o = gate + b * G + 3 * U;
            const float* dh_row = &dh[b * U];
            float* dho_row = &dho[b * U];
#pragma omp simd
            for (int64_t u = 0; u < U; ++u) dho_row[u] = dh_row[u] * o[u];
        }
        scale_by_derivative(s.act, a, dho.data(), BU);
        for (int64_t b = 0; b < B; ++b) {
            const float* gr = gate + b * G;
            float* dzr = dz + b * G;
            cell_backward_row(U, gr, a + b * U, c_before + b * U, &dh[b * U], &dc[b * U], &dho[b * U], dzr,
                              &dc_prev[b * U]);
            // times the derivative of each gate's activation
            scale_by_derivative(s.rec_act, gr, dzr, 2 * U);
            scale_by_derivative(s.act, gr + 2 * U, dzr + 2 * U, U);
            scale_by_derivative(s.rec_act, gr + 3 * U, dzr + 3 * U, U);
        }
        // Masked rows pass dh and dc straight through to the previous step.
        std::fill(dh_prev.begin(), dh_prev.end(), 0.0f);
        if (!s.mask.empty())
            for (int64_t b = 0; b < B; ++b) {
                if (s.mask[b * T + t] != 0.0f) continue;
                std::fill(dz + b * G, dz + (b + 1) * G, 0.0f);
                std::copy(&dh[b * U], &dh[(b + 1) * U], &dh_prev[b * U]);
                std::copy(&dc[b * U], &dc[(b + 1) * U], &dc_prev[b * U]);
            }
        // dh_{t-1} += dz @ recurrent_kernelᵀ: (B, 4U) @ (4U, U)
        gemm(false, true, int(B), int(U), int(G), 1.0f, dz, int(G), s.recurrent_kernel.data(), int(G), 1.0f,
             dh_prev.data(), int(U));
        dh.swap(dh_prev);
        dc.swap(dc_prev);
    }

    const int rows = int(T * B);
    if (gkernel)  // d kernel (D, 4U) += xtᵀ (D, T*B) @ dZ (T*B, 4U)
        gemm(true, false, int(D), int(G), rows, 1.0f, s.xt.get(), int(D), dZ.get(), int(G), 1.0f,
             gkernel->acc(D * G), int(G));
    if (grec)  // d recurrent_kernel (U, 4U) += h[0..T-1]ᵀ (U, T*B) @ dZ
        gemm(true, false, int(U), int(G), rows, 1.0f, s.h.get(), int(U), dZ.get(), int(G), 1.0f,
             grec->acc(U * G), int(G));
    if (gbias) {  // d bias += column sums of dZ
        float* gb = gbias->acc(G);
        for (int64_t r = 0; r < T * B; ++r) {
            const float* dz_row = &dZ[r * G];
#pragma omp simd
            for (int64_t j = 0; j < G; ++j) gb[j] += dz_row[j];
        }
    }
    if (gx) {  // dxt = dZ @ kernelᵀ (T*B, D), then back to (B, T, D)
        std::vector<float> dxt(static_cast<size_t>(T * B * D));
        gemm(false, true, rows, int(D), int(G), 1.0f, dZ.get(), int(G), s.kernel.data(), int(G), 0.0f, dxt.data(),
             int(D));
        float* g = gx->acc(B * T * D);
        for (int64_t t = 0; t < T; ++t)
            for (int64_t b = 0; b < B; ++b)
                for (int64_t d = 0; d < D; ++d) g[(b * T + t) * D + d] += dxt[(t * B + b) * D + d];
    }
}

}  // namespace

LstmActivation lstm_activation_from_name(const std::string& name, const std::string& context) {
    for (const auto& a : kNames)
        if (name == a.name) return a.kind;
    std::string valid;
    for (const auto& a : kNames) valid += std::string(valid.empty() ? "" : ", ") + a.name;
    value_error(context, "activation '" + name + "' cannot be used in an LSTM; valid activations are: " + valid);
}

Tensor lstm_sequence(const Tensor& x, const Tensor& kernel, const Tensor& recurrent_kernel, const Tensor& bias,
                     const Tensor& mask, LstmActivation activation, LstmActivation recurrent_activation,
                     bool return_sequences, Tensor* h_last, Tensor* c_last) {
    check_inputs(x, kernel, recurrent_kernel, bias);
    const int64_t B = x.dim(0), T = x.dim(1), D = x.dim(2), U = recurrent_kernel.dim(0), G = 4 * U, BU = B * U;
    if (mask.defined()) check_mask(kOp, mask, B, T);

    auto s = std::make_shared<Saved>();
    s->B = B, s->T = T, s->D = D, s->U = U;
    s->act = activation, s->rec_act = recurrent_activation, s->return_sequences = return_sequences;
    s->xt = uninitialized(T * B * D);
    s->gates = uninitialized(T * B * G);
    s->h = uninitialized((T + 1) * BU);
    s->c = uninitialized((T + 1) * BU);
    s->act_c = uninitialized(T * BU);
    s->kernel = kernel.detach();
    s->recurrent_kernel = recurrent_kernel.detach();
    std::fill_n(s->h.get(), BU, 0.0f);  // zero initial state
    std::fill_n(s->c.get(), BU, 0.0f);
    if (mask.defined()) s->mask = mask.to_vector();

    // Input projection of all steps in one GEMM: gates (T*B, 4U) = xt (T*B, D) @ kernel (+ bias).
    const float* px = x.data();
    for (int64_t t = 0; t < T; ++t)
        for (int64_t b = 0; b < B; ++b)
            for (int64_t d = 0; d < D; ++d) s->xt[(t * B + b) * D + d] = px[(b * T + t) * D + d];
    float* gates = s->gates.get();
    if (bias.defined())
        for (int64_t r = 0; r < T * B; ++r) std::memcpy(gates + r * G, bias.data(), static_cast<size_t>(G) * sizeof(float));
    gemm(false, false, int(T * B), int(G), int(D), 1.0f, s->xt.get(), int(D), kernel.data(), int(G),
         bias.defined() ? 1.0f : 0.0f, gates, int(G));

    for (int64_t t = 0; t < T; ++t) {
        float* z = gates + t * B * G;
        const float* h_before = &s->h[t * BU];
        const float* c_before = &s->c[t * BU];
        float* h_after = &s->h[(t + 1) * BU];
        float* c_after = &s->c[(t + 1) * BU];
        float* a = &s->act_c[t * BU];
        // z_t += h_{t-1} @ recurrent_kernel: (B, U) @ (U, 4U)
        gemm(false, false, int(B), int(G), int(U), 1.0f, h_before, int(U), recurrent_kernel.data(), int(G), 1.0f, z,
             int(G));
        for (int64_t b = 0; b < B; ++b) {  // gates in place: [i f] = σ, g = act, o = σ
            float* zr = z + b * G;
            activate(recurrent_activation, zr, zr, 2 * U);
            activate(activation, zr + 2 * U, zr + 2 * U, U);
            activate(recurrent_activation, zr + 3 * U, zr + 3 * U, U);
        }
        for (int64_t b = 0; b < B; ++b) cell_state_row(U, z + b * G, c_before + b * U, c_after + b * U);
        activate(activation, c_after, a, BU);
        for (int64_t b = 0; b < B; ++b) {  // h_new = o * act(c_new)
            const float* o = z + b * G + 3 * U;
            const float* a_row = a + b * U;
            float* h_row = h_after + b * U;
#pragma omp simd
            for (int64_t u = 0; u < U; ++u) h_row[u] = o[u] * a_row[u];
        }
        if (mask.defined())  // a masked row carries its state through unchanged
            for (int64_t b = 0; b < B; ++b)
                if (s->mask[b * T + t] == 0.0f) {
                    std::memcpy(h_after + b * U, h_before + b * U, static_cast<size_t>(U) * sizeof(float));
                    std::memcpy(c_after + b * U, c_before + b * U, static_cast<size_t>(U) * sizeof(float));
                }
    }

    Tensor y(return_sequences ? Shape{B, T, U} : Shape{B, U});
    if (return_sequences) {
        for (int64_t b = 0; b < B; ++b)
            for (int64_t t = 0; t < T; ++t)
                std::memcpy(y.data() + (b * T + t) * U, &s->h[(t + 1) * BU + b * U], static_cast<size_t>(U) * sizeof(float));
    } else {
        std::memcpy(y.data(), &s->h[T * BU], static_cast<size_t>(BU) * sizeof(float));
    }
    Tensor h_out, c_out;
    const auto last_state = [&](const Buffer& states) {  // states[T], (B, U)
        return Tensor::from_vector(std::vector<float>(states.get() + T * BU, states.get() + (T + 1) * BU), {B, U});
    };
    if (h_last) h_out = last_state(s->h);
    if (c_last) c_out = last_state(s->c);

    if (tape::wants_grad({&x, &kernel, &recurrent_kernel, &bias})) {
        y.attach_grad();
        if (h_last) h_out.attach_grad();
        if (c_last) c_out.attach_grad();
        auto slot = [](const Tensor& t) { return t.defined() && t.needs_grad() ? t.grad_slot() : GradSlot(); };
        tape::record(kOp, [s, gy = y.grad_slot(), ghl = slot(h_out), gcl = slot(c_out), gx = slot(x),
                           gk = slot(kernel), gr = slot(recurrent_kernel), gb = slot(bias)] {
            backward(*s, gy, ghl, gcl, gx, gk, gr, gb);
        });
    }
    if (h_last) *h_last = h_out;
    if (c_last) *c_last = c_out;
    return y;
}

}  // namespace tn
