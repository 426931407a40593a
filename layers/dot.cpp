#include "layers/dot.h"

#include "core/error.h"
#include "core/ops.h"

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

std::vector<Tensor> Dot::call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>&, bool) const {
    output_shapes({inputs[0].shape(), inputs[1].shape()});
    const Tensor &a = inputs[0], &b = inputs[1];
    if (a.ndim() == 2) return {sum(a * b, 1, /*keepdims=*/true)};
    const int64_t i = axes_[0] < 0 ? axes_[0] + 3 : axes_[0], j = axes_[1] < 0 ? axes_[1] + 3 : axes_[1];
    // (B, M, K) @ (B, K, N): a's summed axis last, b's summed axis in the middle.
    return {matmul(a, b, /*trans_a=*/i == 1, /*trans_b=*/j == 2)};
}

}  // namespace tn
