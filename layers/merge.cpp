#include "layers/merge.h"

#include "core/error.h"
#include "core/ops.h"

namespace tn {

Tensor merge_masks(const std::vector<Tensor>& masks) {
    Tensor out;
    for (const Tensor& m : masks)
        if (m.defined()) out = out.defined() ? (out * m).detach() : m;
    return out;
}

std::vector<Shape> Merge::output_shapes(const std::vector<Shape>& in) const {
    check_input_count(in.size(), min_inputs(), max_inputs());
    for (const Shape& s : in) {
        bool same = s.size() == in[0].size();
        for (size_t i = 1; same && i < s.size(); ++i) same = s[i] == in[0][i];
        if (!same) shape_error(name(), "inputs must have one shape, got " + shape_str(in[0]) + " and " + shape_str(s));
    }
    return {in[0]};
}

std::vector<Tensor> Merge::compute_masks(const std::vector<Tensor>&, const std::vector<Tensor>& masks) const {
    return {merge_masks(masks)};
}

std::vector<Tensor> Merge::call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>&, bool) const {
    std::vector<Shape> shapes;
    for (const Tensor& x : inputs) shapes.push_back(x.shape());
    output_shapes(shapes);
    return {merge(inputs)};
}

}  // namespace tn
