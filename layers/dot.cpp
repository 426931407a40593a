#include "layers/dot.h"

#include "core/error.h"
#include "core/ops.h"

#include <algorithm>

namespace tn {

Dot::Dot(std::vector<int64_t> axes, bool normalize) : Layer("dot"), axes_(std::move(axes)) {
    if (axes_.size() == 1) axes_.push_back(axes_[0]);
    if (axes_.size() != 2) value_error("dot", "axes must be one axis or two, got " + std::to_string(axes_.size()));
    if (normalize) value_error("dot", "normalize = true (cosine proximity) is not supported by tapenet");
}

void Dot::get_config(ConfigWriter& c) const {
    c.integers("axes", axes_);
    c.boolean("normalize", false);
}

std::unique_ptr<Layer> Dot::from_config(const ConfigReader& c) {
    return std::make_unique<Dot>(c.integers("axes"), c.boolean("normalize", false));
}

std::vector<Shape> Dot::output_shapes(const std::vector<Shape>& in) const {
    check_input_count(in.size(), 2, 2);
    const Shape &a = in[0], &b = in[1];
    const auto rank = static_cast<int64_t>(a.size());
    const int64_t i = axes_[0] < 0 ? axes_[0] + rank : axes_[0], j = axes_[1] < 0 ? axes_[1] + rank : axes_[1];
    const bool ranks_ok = a.size() == b.size() && (rank == 2 || rank == 3);
    if (!ranks_ok || i < 1 || i >= rank || j < 1 || j >= rank || (a[i] >= 0 && b[j] >= 0 && a[i] != b[j]))
        shape_error(name(), "cannot take the dot product of " + shape_str(a) + " and " + shape_str(b) + " over axes [" +
                                std::to_string(axes_[0]) + ", " + std::to_string(axes_[1]) + "]");
    if (rank == 2) return {{a[0], 1}};
    return {{a[0], a[3 - i], b[3 - j]}};  // the axis of each that is not summed over
}

namespace {

// The (B, T) mask of input k's time axis: its mask, or a full-shape mask reduced over the axes
// after the time axis (a step is real if any entry is); undefined if it has none.
Tensor time_mask(const std::vector<Tensor>& masks, size_t k) {
    if (k >= masks.size() || !masks[k].defined() || masks[k].ndim() < 2) return Tensor();
    const Tensor& m = masks[k];
    if (m.ndim() == 2) return m;
    const int64_t steps = m.dim(0) * m.dim(1), per_step = m.numel() / std::max<int64_t>(steps, 1);
    Tensor out({m.dim(0), m.dim(1)});
    for (int64_t s = 0; s < steps; ++s) {
        float any = 0;
        for (int64_t e = 0; e < per_step; ++e) any = std::max(any, m[s * per_step + e]);
        out[s] = any;
    }
    return out;
}

}  // namespace

std::vector<Tensor> Dot::compute_masks(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const {
    if (inputs.size() != 2 || inputs[0].ndim() != 3) return {};
    const int64_t i = axes_[0] < 0 ? axes_[0] + 3 : axes_[0], j = axes_[1] < 0 ? axes_[1] + 3 : axes_[1];
    const Tensor a = i == 2 ? time_mask(masks, 0) : Tensor();  // a's time axis is output axis 1
    const Tensor b = j == 2 ? time_mask(masks, 1) : Tensor();  // b's time axis is output axis 2
    if (!b.defined()) return {i == 2 ? a : Tensor()};
    const int64_t B = inputs[0].dim(0), M = inputs[0].dim(3 - i), N = inputs[1].dim(1);
    Tensor out({B, M, N});  // a[b, m] * b[b, n], a missing mask counting as ones
    for (int64_t n = 0; n < B; ++n)
        for (int64_t m = 0; m < M; ++m)
            for (int64_t k = 0; k < N; ++k) out[(n * M + m) * N + k] = (a.defined() ? a[n * M + m] : 1.0f) * b[n * N + k];
    return {out};
}

std::vector<Tensor> Dot::call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>&, bool) const {
    output_shapes({inputs[0].shape(), inputs[1].shape()});
    const Tensor &a = inputs[0], &b = inputs[1];
    if (a.ndim() == 2) return {sum(a * b, 1, /*keepdims=*/true)};
    const int64_t i = axes_[0] < 0 ? axes_[0] + 3 : axes_[0], j = axes_[1] < 0 ? axes_[1] + 3 : axes_[1];
    // (B, M, K) @ (B, K, N): a's summed axis last, b's summed axis in the middle.
    return {matmul(a, b, /*trans_a=*/i == 1, /*trans_b=*/j == 2)};
}

}  // namespace tn
