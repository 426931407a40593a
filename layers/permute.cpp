#include "layers/permute.h"

#include <algorithm>

#include "core/error.h"
#include "core/ops.h"

namespace tn {

Permute::Permute(std::vector<int64_t> dims) : Layer("permute"), dims_(std::move(dims)) {
    std::vector<int64_t> sorted = dims_;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i)
        if (sorted[i] != static_cast<int64_t>(i) + 1)
            value_error("permute", "dims must be a permutation of 1..." + std::to_string(dims_.size()) + ", got " + shape_str(dims_));
}

Shape Permute::output_shape(const Shape& in) const {
    if (in.size() != dims_.size() + 1)
        shape_error(name(), "dims " + shape_str(dims_) + " need an input of rank " + std::to_string(dims_.size() + 1) +
                                ", got " + shape_str(in));
    Shape out{in[0]};
    for (int64_t d : dims_) out.push_back(in[static_cast<size_t>(d)]);
    return out;
}

Tensor Permute::call(const Tensor& x, const Tensor&, bool) const {
    output_shape(x.shape());
    // Selection by swaps: `order[k]` is the input axis now at position k.
    std::vector<int64_t> order(dims_.size() + 1);
    for (size_t k = 0; k < order.size(); ++k) order[k] = static_cast<int64_t>(k);
    Tensor y = x;
    for (size_t k = 1; k < order.size(); ++k) {
        const auto at = static_cast<int64_t>(std::find(order.begin(), order.end(), dims_[k - 1]) - order.begin());
        if (at == static_cast<int64_t>(k)) continue;
        y = transpose(y, static_cast<int64_t>(k), at);
        std::swap(order[k], order[static_cast<size_t>(at)]);
    }
    return y;
}

}  // namespace tn
