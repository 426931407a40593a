#include "layers/flatten.h"

#include "core/error.h"
#include "core/ops.h"

namespace tn {

std::unique_ptr<Layer> Flatten::from_config(const ConfigReader& c) {
    if (c.text("data_format", "channels_last") != "channels_last") c.fail("only data_format 'channels_last' is supported");
    return std::make_unique<Flatten>();
}

Shape Flatten::output_shape(const Shape& in) const {
    if (in.size() < 2) shape_error(name(), "expected input with a batch and feature axes, got " + shape_str(in));
    int64_t n = 1;
    for (size_t i = 1; i < in.size(); ++i) n = in[i] < 0 || n < 0 ? -1 : n * in[i];
    return {in[0], n};
}

Tensor Flatten::call(const Tensor& x, const Tensor&, bool) const {
    return reshape(x, {x.dim(0), x.dim(0) > 0 ? x.numel() / x.dim(0) : 0});
}

}  // namespace tn
