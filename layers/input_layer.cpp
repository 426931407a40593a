#include "layers/input_layer.h"

#include "core/error.h"

namespace tn {

InputLayer::InputLayer(Shape batch_input_shape, std::string name) : Layer(std::move(name)), shape_(std::move(batch_input_shape)) {
    if (shape_.size() < 2) shape_error("input", "needs a shape with at least one axis besides the batch, got " + shape_str(shape_));
    shape_[0] = -1;
    for (size_t i = 1; i < shape_.size(); ++i)
        if (shape_[i] == 0 || shape_[i] < -1) shape_error("input", "sizes must be positive or -1 (any), got " + shape_str(shape_));
}

void InputLayer::get_config(ConfigWriter& c) const {
    c.shape("batch_input_shape", shape_);
    c.text("dtype", "float32");
    c.boolean("sparse", false);
}

void InputLayer::check(const Shape& x) const {
    bool ok = x.size() == shape_.size();
    for (size_t i = 1; ok && i < x.size(); ++i) ok = shape_[i] < 0 || x[i] == shape_[i];
    if (!ok) shape_error(name(), "expected input of shape " + shape_str(shape_) + ", got " + shape_str(x));
}

Shape InputLayer::output_shape(const Shape& input_shape) const {
    check(input_shape);
    return input_shape;
}

}  // namespace tn
