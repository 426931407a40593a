#include "layers/repeat_vector.h"

#include "core/error.h"
#include "core/ops.h"

namespace tn {

RepeatVector::RepeatVector(int64_t n) : Layer("repeat_vector"), n_(n) {
    if (n <= 0 || n > (int64_t{1} << 31)) value_error("repeat_vector", "n must be positive, got " + std::to_string(n));
}

Shape RepeatVector::output_shape(const Shape& in) const {
    if (in.size() != 2) shape_error(name(), "expected input of shape (batch, features), got " + shape_str(in));
    return {in[0], n_, in[1]};
}

Tensor RepeatVector::call(const Tensor& x, const Tensor&, bool) const {
    output_shape(x.shape());
    return stack(std::vector<Tensor>(static_cast<size_t>(n_), x), 1);
}

}  // namespace tn
