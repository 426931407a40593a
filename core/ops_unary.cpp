// Unary math and activations. Each derivative is written in terms of what is cheapest to keep:
// the output y for exp, tanh, sigmoid and sqrt, the input x for the others.
#include <cmath>

#include "core/ops.h"
#include "core/tape.h"
#include "core/vmath.h"

namespace tn {

namespace {

// Records a backward gx += g * dydx(x_i, y_i). `keep_x`/`keep_y` say which values it reads.
template <class D>
void record_unary(const char* name, const Tensor& x, Tensor& y, bool keep_x, bool keep_y, D dydx) {
    if (!tape::wants_grad({&x})) return;
    y.attach_grad();
    tape::record(name, [xv = keep_x ? x.detach() : Tensor(), yv = keep_y ? y.detach() : Tensor(),
                        gx_slot = x.grad_slot(), gy = y.grad_slot(), n = x.numel(), dydx] {
        if (!gy->has()) return;
        float* gx = gx_slot->acc(n);
        for (int64_t i = 0; i < n; ++i)
            gx[i] += gy->g[i] * dydx(xv.defined() ? xv[i] : 0.0f, yv.defined() ? yv[i] : 0.0f);
    });
}

template <class F>
Tensor map(const Tensor& x, F f) {
    Tensor y(x.shape());
    const float* px = x.data();
    float* py = y.data();
    for (int64_t i = 0; i < x.numel(); ++i) py[i] = f(px[i]);
    return y;
}

}  // namespace

// d exp(x) = exp(x)
Tensor exp(const Tensor& x) {
    Tensor y(x.shape());
    vmath::exp(x.data(), y.data(), x.numel());
    record_unary("exp", x, y, false, true, [](float, float y) { return y; });
    return y;
}

// d log(x) = 1/x
Tensor log(const Tensor& x) {
    Tensor y = map(x, [](float v) { return std::log(v); });
    record_unary("log", x, y, true, false, [](float x, float) { return 1.0f / x; });
    return y;
}

// d tanh(x) = 1 - tanh(x)^2
Tensor tanh(const Tensor& x) {
    Tensor y(x.shape());
    vmath::tanh(x.data(), y.data(), x.numel());
    record_unary("tanh", x, y, false, true, [](float, float y) { return 1.0f - y * y; });
    return y;
}

// d sigmoid(x) = s (1 - s)
Tensor sigmoid(const Tensor& x) {
    Tensor y(x.shape());
    vmath::sigmoid(x.data(), y.data(), x.numel());
    record_unary("sigmoid", x, y, false, true, [](float, float y) { return y * (1.0f - y); });
    return y;
}

// Keras 2 hard_sigmoid: clip(0.2 x + 0.5, 0, 1); slope 0.2 strictly inside (-2.5, 2.5)
Tensor hard_sigmoid(const Tensor& x) {
    Tensor y = map(x, [](float v) { return std::min(1.0f, std::max(0.0f, 0.2f * v + 0.5f)); });
    record_unary("hard_sigmoid", x, y, true, false,
                 [](float x, float) { return (x > -2.5f && x < 2.5f) ? 0.2f : 0.0f; });
    return y;
}

// d relu(x) = 1 for x > 0, else 0
Tensor relu(const Tensor& x) {
    Tensor y = map(x, [](float v) { return v > 0.0f ? v : 0.0f; });
    record_unary("relu", x, y, true, false, [](float x, float) { return x > 0.0f ? 1.0f : 0.0f; });
    return y;
}

// d |x| = sign(x), with sign(0) = 0 as in TF and PyTorch
Tensor abs(const Tensor& x) {
    Tensor y = map(x, [](float v) { return std::fabs(v); });
    record_unary("abs", x, y, true, false,
                 [](float x, float) { return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f); });
    return y;
}

// d sqrt(x) = 1 / (2 sqrt(x))
Tensor sqrt(const Tensor& x) {
    Tensor y = map(x, [](float v) { return std::sqrt(v); });
    record_unary("sqrt", x, y, false, true, [](float, float y) { return 0.5f / y; });
    return y;
}

// Gradient 1 on the closed interval [lo, hi] (as Keras' clip), 0 outside.
Tensor clip(const Tensor& x, float lo, float hi) {
    Tensor y = map(x, [lo, hi](float v) { return std::min(hi, std::max(lo, v)); });
    record_unary("clip", x, y, true, false,
                 [lo, hi](float x, float) { return (x >= lo && x <= hi) ? 1.0f : 0.0f; });
    return y;
}

}  // namespace tn
