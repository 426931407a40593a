#include "layers/softmax.h"

#include "core/error.h"
#include "core/ops.h"

namespace tn {

Softmax::Softmax(int64_t axis) : Layer("softmax"), axis_(axis) {}

Shape Softmax::output_shape(const Shape& input_shape) const {
    const auto rank = static_cast<int64_t>(input_shape.size());
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (axis < 1 || axis >= rank)
        shape_error(name(), "axis " + std::to_string(axis_) + " is not a feature axis of " + shape_str(input_shape));
    return input_shape;
}

Tensor Softmax::call(const Tensor& x, const Tensor& mask, bool) const {
    output_shape(x.shape());
    const int64_t axis = axis_ < 0 ? axis_ + x.ndim() : axis_;
    if (!mask.defined() || mask.shape() != x.shape()) return softmax(x, axis);
    // Keras: x + (1 - mask) * -1e9; exp of the masked entries underflows to 0.
    Tensor adder(x.shape());
    for (int64_t i = 0; i < x.numel(); ++i) adder[i] = (1.0f - mask[i]) * -1e9f;
    return softmax(x + adder, axis);
}

}  // namespace tn
