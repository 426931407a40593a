// Binary elementwise ops with numpy broadcasting, and the scalar ops.
#include <cmath>

#include "core/error.h"
#include "core/ops.h"
#include "core/tape.h"

namespace tn {

Shape broadcast_shape(const char* op, const Shape& a, const Shape& b) {
    const size_t n = std::max(a.size(), b.size());
    Shape out(n);
    for (size_t i = 0; i < n; ++i) {
        // align on the right: axis i of out is axis i - (n - size) of each operand
        const int64_t da = i + a.size() >= n ? a[i + a.size() - n] : 1;
        const int64_t db = i + b.size() >= n ? b[i + b.size() - n] : 1;
        if (da != db && da != 1 && db != 1)
            shape_error(op, "shapes cannot be broadcast together: " + shape_str(a) + " and " + shape_str(b));
        out[i] = da == 1 ? db : da;
    }
    return out;
}

namespace {

// Row-major strides of `s` seen from the broadcast shape `out`: 0 on stretched or missing axes.
std::vector<int64_t> broadcast_strides(const Shape& s, const Shape& out) {
    std::vector<int64_t> strides(out.size(), 0);
    int64_t stride = 1;
    for (size_t k = 0; k < s.size(); ++k) {
        const size_t axis_s = s.size() - 1 - k;
        const size_t axis_o = out.size() - 1 - k;
        if (s[axis_s] != 1) strides[axis_o] = stride;
        stride *= s[axis_s];
    }
    return strides;
}

// Calls fn(i_out, i_a, i_b) for every element of the broadcast result, in row-major order.
template <class Fn>
void for_each_broadcast(const Shape& out, const Shape& sa, const Shape& sb, Fn fn) {
    const int64_t n = shape_numel(out);
    if (sa == out && sb == out) {
        for (int64_t i = 0; i < n; ++i) fn(i, i, i);
        return;
    }
    const std::vector<int64_t> st_a = broadcast_strides(sa, out), st_b = broadcast_strides(sb, out);
    std::vector<int64_t> index(out.size(), 0);
    int64_t ia = 0, ib = 0;
    for (int64_t i = 0; i < n; ++i) {
        fn(i, ia, ib);
        // odometer increment of the multi-index, updating both operand offsets
        for (int64_t d = static_cast<int64_t>(out.size()) - 1; d >= 0; --d) {
            ++index[d];
            ia += st_a[d];
            ib += st_b[d];
            if (index[d] < out[d]) break;
            ia -= st_a[d] * out[d];
            ib -= st_b[d] * out[d];
            index[d] = 0;
        }
    }
}

// The shared body of add/sub/mul/div: `f` computes a value, `da`/`db` the partial derivatives.
// add and sub (kUsesValues = false) have constant partials, so their backward does not keep the
// operands' values alive, only their gradient slots.
template <bool kUsesValues, class F, class DA, class DB>
Tensor binary_op(const char* name, const Tensor& a, const Tensor& b, F f, DA da, DB db) {
    const Shape out_shape = broadcast_shape(name, a.shape(), b.shape());
    Tensor out(out_shape);
    const float *pa = a.data(), *pb = b.data();
    float* po = out.data();
    for_each_broadcast(out_shape, a.shape(), b.shape(),
                       [&](int64_t i, int64_t ia, int64_t ib) { po[i] = f(pa[ia], pb[ib]); });
    if (tape::wants_grad({&a, &b})) {
        out.attach_grad();
        Tensor va = kUsesValues ? a : Tensor(), vb = kUsesValues ? b : Tensor();
        tape::record(name, [va, vb, sa = a.shape(), sb = b.shape(), ga_slot = a.grad_slot(),
                            gb_slot = b.grad_slot(), go = out.grad_slot(), out_shape, da, db] {
            if (!go->has()) return;
            const float* g = go->g.data();
            const float* pa = kUsesValues ? va.data() : nullptr;
            const float* pb = kUsesValues ? vb.data() : nullptr;
            float* ga = ga_slot ? ga_slot->acc(shape_numel(sa)) : nullptr;
            float* gb = gb_slot ? gb_slot->acc(shape_numel(sb)) : nullptr;
            for_each_broadcast(out_shape, sa, sb, [&](int64_t i, int64_t ia, int64_t ib) {
                const float x = kUsesValues ? pa[ia] : 0.0f, y = kUsesValues ? pb[ib] : 0.0f;
                if (ga) ga[ia] += g[i] * da(x, y);
                if (gb) gb[ib] += g[i] * db(x, y);
            });
        });
    }
    return out;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
    return binary_op<false>(
        "add", a, b, [](float x, float y) { return x + y; }, [](float, float) { return 1.0f; },
        [](float, float) { return 1.0f; });
}

Tensor sub(const Tensor& a, const Tensor& b) {
    return binary_op<false>(
        "sub", a, b, [](float x, float y) { return x - y; }, [](float, float) { return 1.0f; },
        [](float, float) { return -1.0f; });
}

Tensor mul(const Tensor& a, const Tensor& b) {
    return binary_op<true>(
        "mul", a, b, [](float x, float y) { return x * y; }, [](float, float y) { return y; },
        [](float x, float) { return x; });
}

// d(x/y)/dx = 1/y, d(x/y)/dy = -x/y^2
Tensor div(const Tensor& a, const Tensor& b) {
    return binary_op<true>(
        "div", a, b, [](float x, float y) { return x / y; }, [](float, float y) { return 1.0f / y; },
        [](float x, float y) { return -x / (y * y); });
}

namespace {

// y = scale * x + shift: neg, add_scalar and mul_scalar. The backward needs no values.
Tensor affine_op(const char* name, const Tensor& x, float scale, float shift) {
    Tensor out(x.shape());
    const float* px = x.data();
    float* po = out.data();
    for (int64_t i = 0; i < x.numel(); ++i) po[i] = scale * px[i] + shift;
    if (tape::wants_grad({&x})) {
        out.attach_grad();
        tape::record(name, [gx_slot = x.grad_slot(), go = out.grad_slot(), n = x.numel(), scale] {
            if (!go->has()) return;
            float* gx = gx_slot->acc(n);
            for (int64_t i = 0; i < n; ++i) gx[i] += scale * go->g[i];
        });
    }
    return out;
}

}  // namespace

Tensor neg(const Tensor& x) { return affine_op("neg", x, -1.0f, 0.0f); }
Tensor add_scalar(const Tensor& x, float s) { return affine_op("add_scalar", x, 1.0f, s); }
Tensor mul_scalar(const Tensor& x, float s) { return affine_op("mul_scalar", x, s, 0.0f); }

// d(x^p)/dx = p x^(p-1)
Tensor pow_scalar(const Tensor& x, float p) {
    Tensor out(x.shape());
    for (int64_t i = 0; i < x.numel(); ++i) out[i] = std::pow(x[i], p);
    if (tape::wants_grad({&x})) {
        out.attach_grad();
        tape::record("pow_scalar", [x, go = out.grad_slot(), p] {
            if (!go->has()) return;
            float* gx = x.grad_slot()->acc(x.numel());
            for (int64_t i = 0; i < x.numel(); ++i) gx[i] += go->g[i] * p * std::pow(x[i], p - 1.0f);
        });
    }
    return out;
}

}  // namespace tn
