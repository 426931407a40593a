#include "layers/masking.h"

#include <algorithm>

#include "core/error.h"
#include "core/ops.h"

namespace tn {

Shape Masking::output_shape(const Shape& input_shape) const {
    if (input_shape.size() < 3)
        shape_error(name(), "expected input of shape (batch, steps, features...), got " + shape_str(input_shape));
    return input_shape;
}

Tensor Masking::compute_mask(const Tensor& x, const Tensor&) const {
    output_shape(x.shape());
    const int64_t steps = x.dim(0) * x.dim(1), per_step = x.numel() / std::max<int64_t>(steps, 1);
    Tensor mask({x.dim(0), x.dim(1)});
    for (int64_t s = 0; s < steps; ++s) {
        const float* row = x.data() + s * per_step;
        bool any = false;
        for (int64_t k = 0; k < per_step && !any; ++k) any = row[k] != mask_value_;
        mask[s] = any ? 1.0f : 0.0f;
    }
    return mask;
}

Tensor Masking::call(const Tensor& x, const Tensor&, bool) const {
    const Tensor mask = compute_mask(x, Tensor());
    Shape keep_shape = {x.dim(0), x.dim(1)};
    while (static_cast<int64_t>(keep_shape.size()) < x.ndim()) keep_shape.push_back(1);
    return x * reshape(mask, keep_shape);  // broadcast over the features
}

}  // namespace tn
