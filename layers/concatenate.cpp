#include "layers/concatenate.h"

#include "core/error.h"
#include "core/ops.h"
#include "layers/merge.h"

namespace tn {

std::unique_ptr<Layer> Concatenate::from_config(const ConfigReader& c) {
    return std::make_unique<Concatenate>(c.integer("axis", -1));
}

std::vector<Shape> Concatenate::output_shapes(const std::vector<Shape>& in) const {
    check_input_count(in.size(), 1, 64);
    const auto rank = static_cast<int64_t>(in[0].size());
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (axis <= 0 || axis >= rank) shape_error(name(), "axis " + std::to_string(axis_) + " is not a feature axis of " + shape_str(in[0]));
    Shape out = in[0];
    for (size_t k = 1; k < in.size(); ++k) {
        bool ok = in[k].size() == in[0].size();
        for (int64_t i = 1; ok && i < rank; ++i) ok = i == axis || in[k][i] == in[0][i];
        if (!ok) shape_error(name(), "inputs must agree except on axis " + std::to_string(axis_) + ", got " +
                                         shape_str(in[0]) + " and " + shape_str(in[k]));
        out[axis] = out[axis] < 0 || in[k][axis] < 0 ? -1 : out[axis] + in[k][axis];
    }
    return {out};
}

std::vector<Tensor> Concatenate::compute_masks(const std::vector<Tensor>&, const std::vector<Tensor>& masks) const {
    return {merge_masks(masks)};
}

std::vector<Tensor> Concatenate::call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>&, bool) const {
    std::vector<Shape> shapes;
    for (const Tensor& x : inputs) shapes.push_back(x.shape());
    output_shapes(shapes);
    return {concat(inputs, axis_ < 0 ? axis_ + inputs[0].ndim() : axis_)};
}

}  // namespace tn
