// softmax and log_softmax along one axis, numerically stable: the max along the axis is subtracted
// before exponentiating, so exp never overflows (a row of +60s or of equal values is fine).
#include <cmath>

#include "core/axis_view.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/tape.h"

namespace tn {

namespace {

// y = x - max - log(sum exp(x - max)) along the axis when `log_out`, else y = exp(x - max) / sum.
void softmax_forward(const Tensor& x, Tensor& y, const AxisView& v, bool log_out) {
    const float* px = x.data();
    float* py = y.data();
    for (int64_t o = 0; o < v.outer; ++o)
        for (int64_t i = 0; i < v.inner; ++i) {
            float m = px[v.at(o, 0, i)];
            for (int64_t k = 1; k < v.n; ++k) m = std::max(m, px[v.at(o, k, i)]);
            double sum = 0;
            for (int64_t k = 0; k < v.n; ++k) sum += std::exp(static_cast<double>(px[v.at(o, k, i)] - m));
            const float log_sum = static_cast<float>(std::log(sum));
            for (int64_t k = 0; k < v.n; ++k) {
                const float z = px[v.at(o, k, i)] - m - log_sum;
                py[v.at(o, k, i)] = log_out ? z : std::exp(z);
            }
        }
}

}  // namespace

// dL/dx_k = y_k (g_k - sum_j g_j y_j)
Tensor softmax(const Tensor& x, int64_t axis) {
    const int64_t a = normalize_axis("softmax", axis, x.ndim());
    const AxisView v(x.shape(), a);
    Tensor y(x.shape());
    softmax_forward(x, y, v, false);
    if (tape::wants_grad({&x})) {
        y.attach_grad();
        tape::record("softmax", [yv = y.detach(), gy = y.grad_slot(), gx_slot = x.grad_slot(), v] {
            if (!gy->has()) return;
            float* gx = gx_slot->acc(yv.numel());
            const float* g = gy->g.data();
            for (int64_t o = 0; o < v.outer; ++o)
                for (int64_t i = 0; i < v.inner; ++i) {
                    float dot = 0;
                    for (int64_t k = 0; k < v.n; ++k) dot += g[v.at(o, k, i)] * yv[v.at(o, k, i)];
                    for (int64_t k = 0; k < v.n; ++k) gx[v.at(o, k, i)] += yv[v.at(o, k, i)] * (g[v.at(o, k, i)] - dot);
                }
        });
    }
    return y;
}

// dL/dx_k = g_k - softmax_k * sum_j g_j
Tensor log_softmax(const Tensor& x, int64_t axis) {
    const int64_t a = normalize_axis("log_softmax", axis, x.ndim());
    const AxisView v(x.shape(), a);
    Tensor y(x.shape());
    softmax_forward(x, y, v, true);
    if (tape::wants_grad({&x})) {
        y.attach_grad();
        tape::record("log_softmax", [yv = y.detach(), gy = y.grad_slot(), gx_slot = x.grad_slot(), v] {
            if (!gy->has()) return;
            float* gx = gx_slot->acc(yv.numel());
            const float* g = gy->g.data();
            for (int64_t o = 0; o < v.outer; ++o)
                for (int64_t i = 0; i < v.inner; ++i) {
                    float total = 0;
                    for (int64_t k = 0; k < v.n; ++k) total += g[v.at(o, k, i)];
                    for (int64_t k = 0; k < v.n; ++k)
                        gx[v.at(o, k, i)] += g[v.at(o, k, i)] - std::exp(yv[v.at(o, k, i)]) * total;
                }
        });
    }
    return y;
}

}  // namespace tn
