// Shape ops: reshape (a free view), transpose, slice/select, concat/stack. All but reshape copy
// into a new contiguous tensor; their backward copies the gradient back to where it came from.
#include <algorithm>
#include <cstring>

#include "core/axis_view.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/tape.h"

namespace tn {

// A view shares storage and the gradient buffer with x, so no tape entry is needed: gradients
// written to the view's buffer are x's gradients.
Tensor reshape(const Tensor& x, Shape shape) {
    const auto minus_one = std::find(shape.begin(), shape.end(), int64_t{-1});
    const int64_t infer = minus_one == shape.end() ? -1 : minus_one - shape.begin();
    if (std::count(shape.begin(), shape.end(), int64_t{-1}) > 1)
        shape_error("reshape", "at most one -1 can be inferred, got " + shape_str(shape));
    if (infer >= 0) {
        Shape others = shape;  // the dimensions besides the -1, their product checked by shape_numel
        others.erase(others.begin() + infer);
        const int64_t known = shape_numel(others);
        if (known > 0 && x.numel() % known == 0) shape[infer] = x.numel() / known;
    }
    if (infer >= 0 && shape[infer] == -1)
        shape_error("reshape", "cannot infer -1 when reshaping " + shape_str(x.shape()));
    return x.view(std::move(shape));
}

namespace {

// Copies x into y with axes a0 and a1 swapped; `back` does the reverse (y -> x) with +=.
void swap_axes_copy(const Shape& xs, int64_t a0, int64_t a1, const float* src, float* dst, bool accumulate) {
    // Row-major strides of x, and the shape of the result.
    const int64_t r = static_cast<int64_t>(xs.size());
    std::vector<int64_t> stride(r, 1);
    for (int64_t d = r - 2; d >= 0; --d) stride[d] = stride[d + 1] * xs[d + 1];
    Shape ys = xs;
    std::swap(ys[a0], ys[a1]);
    std::vector<int64_t> ystride_in_x = stride;  // stride in x of each axis of y
    std::swap(ystride_in_x[a0], ystride_in_x[a1]);
    const int64_t n = shape_numel(xs);
    std::vector<int64_t> index(r, 0);
    int64_t off = 0;  // offset in x of the current element of y
    for (int64_t i = 0; i < n; ++i) {
        if (accumulate) dst[off] += src[i];  // backward: y-ordered gradient into x positions
        else dst[i] = src[off];
        for (int64_t d = r - 1; d >= 0; --d) {
            ++index[d];
            off += ystride_in_x[d];
            if (index[d] < ys[d]) break;
            off -= ystride_in_x[d] * ys[d];
            index[d] = 0;
        }
    }
}

}  // namespace

Tensor transpose(const Tensor& x, int64_t axis0, int64_t axis1) {
    const int64_t a0 = normalize_axis("transpose", axis0, x.ndim());
    const int64_t a1 = normalize_axis("transpose", axis1, x.ndim());
    Shape ys = x.shape();
    std::swap(ys[a0], ys[a1]);
    Tensor y(ys);
    swap_axes_copy(x.shape(), a0, a1, x.data(), y.data(), false);
    if (tape::wants_grad({&x})) {
        y.attach_grad();
        tape::record("transpose", [xs = x.shape(), gx_slot = x.grad_slot(), gy = y.grad_slot(), a0, a1] {
            if (!gy->has()) return;
            swap_axes_copy(xs, a0, a1, gy->g.data(), gx_slot->acc(shape_numel(xs)), true);
        });
    }
    return y;
}

Tensor slice(const Tensor& x, int64_t axis, int64_t start, int64_t end) {
    const int64_t a = normalize_axis("slice", axis, x.ndim());
    const int64_t n = x.shape()[a];
    if (start < 0 || end > n || start > end)
        shape_error("slice", "range [" + std::to_string(start) + ", " + std::to_string(end) + ") is outside axis " +
                                 std::to_string(a) + " of " + shape_str(x.shape()));
    const AxisView v(x.shape(), a);
    Shape ys = x.shape();
    ys[a] = end - start;
    Tensor y(ys);
    const int64_t block = (end - start) * v.inner;  // contiguous run per outer index
    for (int64_t o = 0; o < v.outer; ++o)
        std::copy_n(x.data() + v.at(o, start, 0), block, y.data() + o * block);
    if (tape::wants_grad({&x})) {
        y.attach_grad();
        tape::record("slice", [gx_slot = x.grad_slot(), gy = y.grad_slot(), numel = x.numel(), v, start, block] {
            if (!gy->has()) return;
            float* gx = gx_slot->acc(numel);
            for (int64_t o = 0; o < v.outer; ++o)
                for (int64_t j = 0; j < block; ++j) gx[v.at(o, start, 0) + j] += gy->g[o * block + j];
        });
    }
    return y;
}

Tensor select(const Tensor& x, int64_t axis, int64_t index) {
    const int64_t a = normalize_axis("select", axis, x.ndim());
    if (index < 0) index += x.shape()[a];
    if (index < 0 || index >= x.shape()[a])
        shape_error("select", "index " + std::to_string(index) + " is outside axis " + std::to_string(a) + " of " +
                                  shape_str(x.shape()));
    Shape ys = x.shape();
    ys.erase(ys.begin() + a);
    return reshape(slice(x, a, index, index + 1), ys);
}

Tensor concat(const std::vector<Tensor>& xs, int64_t axis) {
    if (xs.empty()) shape_error("concat", "needs at least one tensor");
    const int64_t a = normalize_axis("concat", axis, xs[0].ndim());
    Shape ys = xs[0].shape();
    ys[a] = 0;
    for (const Tensor& x : xs) {
        Shape s = x.shape();
        if (s.size() != ys.size()) shape_error("concat", "ranks differ: " + shape_str(xs[0].shape()) + " and " + shape_str(s));
        s[a] = 0;
        Shape expect = ys;
        expect[a] = 0;
        if (s != expect)
            shape_error("concat", "shapes differ outside axis " + std::to_string(a) + ": " +
                                      shape_str(xs[0].shape()) + " and " + shape_str(x.shape()));
        ys[a] += x.shape()[a];
    }
    Tensor y(ys);
    const AxisView vy(ys, a);
    int64_t offset = 0;  // position along the axis where the next input starts
    std::vector<int64_t> offsets;
    for (const Tensor& x : xs) {
        const int64_t block = x.shape()[a] * vy.inner;
        for (int64_t o = 0; o < vy.outer; ++o) std::copy_n(x.data() + o * block, block, y.data() + vy.at(o, offset, 0));
        offsets.push_back(offset);
        offset += x.shape()[a];
    }
    bool any = false;
    for (const Tensor& x : xs) any = any || tape::wants_grad({&x});
    if (any) {
        y.attach_grad();
        std::vector<std::pair<GradSlot, int64_t>> parts;  // (slot, length along axis) per input
        for (const Tensor& x : xs) parts.emplace_back(x.grad_slot(), x.shape()[a]);
        tape::record("concat", [parts, offsets, vy, gy = y.grad_slot()] {
            if (!gy->has()) return;
            for (size_t p = 0; p < parts.size(); ++p) {
                if (!parts[p].first) continue;
                const int64_t block = parts[p].second * vy.inner;
                float* gx = parts[p].first->acc(block * vy.outer);
                for (int64_t o = 0; o < vy.outer; ++o)
                    for (int64_t j = 0; j < block; ++j) gx[o * block + j] += gy->g[vy.at(o, offsets[p], 0) + j];
            }
        });
    }
    return y;
}

Tensor stack(const std::vector<Tensor>& xs, int64_t axis) {
    if (xs.empty()) shape_error("stack", "needs at least one tensor");
    const int64_t a = normalize_axis("stack", axis, xs[0].ndim() + 1);
    std::vector<Tensor> expanded;
    for (const Tensor& x : xs) {
        if (x.shape() != xs[0].shape())
            shape_error("stack", "shapes differ: " + shape_str(xs[0].shape()) + " and " + shape_str(x.shape()));
        Shape s = x.shape();
        s.insert(s.begin() + a, 1);
        expanded.push_back(reshape(x, s));
    }
    return concat(expanded, a);
}

}  // namespace tn
