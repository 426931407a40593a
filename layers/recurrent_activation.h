// tapenet layers: the activations of the fused recurrent kernels (LSTM, GRU), over contiguous rows.
//
// activate(f, x, y, n) applies f to n values (sigmoid and tanh through core/vmath.h, so they get
// its vectorized code); derivative<F>(y) is f'(x) written through the output y = f(x), so that a
// backward needs only what the forward stored:
//   tanh 1 - y²,  sigmoid y (1 - y),  hard_sigmoid 0.2 where 0 < y < 1,  relu [y > 0],  linear 1.
// with_activation_pair(act, rec, f) calls f.template operator()<Act, Rec>() for the two kinds
// known at run time, so that a row loop templated on both inlines its derivatives:
//
//   auto row = tn::with_activation_pair(act, rec, []<tn::LstmActivation A, tn::LstmActivation R>() {
//       return &cell_backward_row<A, R>;
//   });
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/vmath.h"
#include "layers/lstm_kernel.h"

namespace tn {

// y = f(x) over n contiguous values (x == y allowed).
inline void activate(LstmActivation f, const float* x, float* y, int64_t n) {
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

// f'(x), written through the output y = f(x).
template <LstmActivation F>
inline float derivative(float y) {
    if constexpr (F == LstmActivation::linear) return 1.0f;
    if constexpr (F == LstmActivation::relu) return y > 0.0f ? 1.0f : 0.0f;
    if constexpr (F == LstmActivation::sigmoid) return y * (1.0f - y);
    if constexpr (F == LstmActivation::hard_sigmoid) return (y > 0.0f && y < 1.0f) ? 0.2f : 0.0f;  // inside (-2.5, 2.5)
    if constexpr (F == LstmActivation::tanh) return 1.0f - y * y;
}

template <LstmActivation Act, class F>
decltype(auto) with_recurrent_activation(LstmActivation rec, F&& f) {
    switch (rec) {
        case LstmActivation::linear: return f.template operator()<Act, LstmActivation::linear>();
        case LstmActivation::relu: return f.template operator()<Act, LstmActivation::relu>();
        case LstmActivation::sigmoid: return f.template operator()<Act, LstmActivation::sigmoid>();
        case LstmActivation::hard_sigmoid: return f.template operator()<Act, LstmActivation::hard_sigmoid>();
        case LstmActivation::tanh: break;
    }
    return f.template operator()<Act, LstmActivation::tanh>();
}

template <class F>
decltype(auto) with_activation_pair(LstmActivation act, LstmActivation rec, F&& f) {
    switch (act) {
        case LstmActivation::linear: return with_recurrent_activation<LstmActivation::linear>(rec, f);
        case LstmActivation::relu: return with_recurrent_activation<LstmActivation::relu>(rec, f);
        case LstmActivation::sigmoid: return with_recurrent_activation<LstmActivation::sigmoid>(rec, f);
        case LstmActivation::hard_sigmoid: return with_recurrent_activation<LstmActivation::hard_sigmoid>(rec, f);
        case LstmActivation::tanh: break;
    }
    return with_recurrent_activation<LstmActivation::tanh>(rec, f);
}

}  // namespace tn
