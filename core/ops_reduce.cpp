// Reductions: sum and mean (over everything or one axis), max along an axis.
#include "core/axis_view.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/tape.h"

namespace tn {

namespace {

Shape reduced_shape(const Shape& s, int64_t axis, bool keepdims) {
    Shape out = s;
    if (keepdims) out[axis] = 1;
    else out.erase(out.begin() + axis);
    return out;
}

// y = scale * sum over the axis of x; the gradient spreads scale * g back over the axis.
Tensor scaled_sum(const char* name, const Tensor& x, int64_t axis, bool keepdims, bool mean) {
    const int64_t a = normalize_axis(name, axis, x.ndim());
    const AxisView v(x.shape(), a);
    const float scale = mean ? 1.0f / static_cast<float>(v.n) : 1.0f;
    Tensor y(reduced_shape(x.shape(), a, keepdims));
    for (int64_t o = 0; o < v.outer; ++o)
        for (int64_t k = 0; k < v.n; ++k)
            for (int64_t i = 0; i < v.inner; ++i) y[o * v.inner + i] += x[v.at(o, k, i)];
    if (mean)
        for (int64_t j = 0; j < y.numel(); ++j) y[j] *= scale;
    if (tape::wants_grad({&x})) {
        y.attach_grad();
        tape::record(name, [gx_slot = x.grad_slot(), gy = y.grad_slot(), v, scale, numel = x.numel()] {
            if (!gy->has()) return;
            float* gx = gx_slot->acc(numel);
            for (int64_t o = 0; o < v.outer; ++o)
                for (int64_t k = 0; k < v.n; ++k)
                    for (int64_t i = 0; i < v.inner; ++i) gx[v.at(o, k, i)] += scale * gy->g[o * v.inner + i];
        });
    }
    return y;
}

Tensor whole(const char* name, const Tensor& x, bool mean) {
    if (x.numel() == 0 && mean) shape_error(name, "mean of an empty tensor " + shape_str(x.shape()));
    return scaled_sum(name, reshape(x, {x.numel()}), 0, false, mean);
}

}  // namespace

Tensor sum(const Tensor& x) { return whole("sum", x, false); }
Tensor sum(const Tensor& x, int64_t axis, bool keepdims) { return scaled_sum("sum", x, axis, keepdims, false); }
Tensor mean(const Tensor& x) { return whole("mean", x, true); }
Tensor mean(const Tensor& x, int64_t axis, bool keepdims) { return scaled_sum("mean", x, axis, keepdims, true); }

// The gradient goes to the first position holding the maximum.
Tensor max(const Tensor& x, int64_t axis, bool keepdims) {
    const int64_t a = normalize_axis("max", axis, x.ndim());
    const AxisView v(x.shape(), a);
    if (v.n == 0) shape_error("max", "axis " + std::to_string(a) + " of " + shape_str(x.shape()) + " is empty");
    Tensor y(reduced_shape(x.shape(), a, keepdims));
    std::vector<int64_t> argmax(static_cast<size_t>(y.numel()));
    for (int64_t o = 0; o < v.outer; ++o)
        for (int64_t i = 0; i < v.inner; ++i) {
            int64_t best = v.at(o, 0, i);
            for (int64_t k = 1; k < v.n; ++k)
                if (x[v.at(o, k, i)] > x[best]) best = v.at(o, k, i);
            y[o * v.inner + i] = x[best];
            argmax[o * v.inner + i] = best;
        }
    if (tape::wants_grad({&x})) {
        y.attach_grad();
        tape::record("max", [gx_slot = x.grad_slot(), gy = y.grad_slot(), argmax, numel = x.numel()] {
            if (!gy->has()) return;
            float* gx = gx_slot->acc(numel);
            for (size_t j = 0; j < argmax.size(); ++j) gx[argmax[j]] += gy->g[j];
        });
    }
    return y;
}

}  // namespace tn
