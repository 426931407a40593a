#include "layers/reshape.h"

#include <algorithm>

#include "core/error.h"
#include "core/ops.h"

namespace tn {

Reshape::Reshape(Shape target_shape) : Layer("reshape"), target_(std::move(target_shape)) {
    int unknown = 0;
    for (int64_t d : target_) {
        unknown += d == -1;
        if (d == 0 || d < -1) value_error("reshape", "target_shape " + shape_str(target_) + " has a size that is not positive");
    }
    if (target_.empty() || unknown > 1) value_error("reshape", "target_shape " + shape_str(target_) + " needs sizes, at most one -1");
}

Shape Reshape::output_shape(const Shape& in) const {
    int64_t known = 1, have = 1;
    bool any = false;
    for (size_t i = 1; i < in.size(); ++i) any = any || in[i] < 0, have *= in[i] < 0 ? 1 : in[i];
    for (int64_t d : target_) known *= d < 0 ? 1 : d;
    Shape out{in.empty() ? -1 : in[0]};
    for (int64_t d : target_) out.push_back(d >= 0 ? d : (any || known == 0 ? -1 : have / known));
    if (!any && (have % known != 0 || (std::find(target_.begin(), target_.end(), -1) == target_.end() && have != known)))
        shape_error(name(), "cannot reshape " + shape_str(in) + " to (batch, " + shape_str(target_).substr(1));
    return out;
}

Tensor Reshape::call(const Tensor& x, const Tensor&, bool) const {
    Shape out = output_shape(x.shape());
    out[0] = x.dim(0);
    return reshape(x, out);
}

}  // namespace tn
