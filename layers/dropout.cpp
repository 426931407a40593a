#include "layers/dropout.h"

#include <cmath>
#include <sstream>

#include "core/error.h"
#include "core/ops.h"

namespace tn {

Dropout::Dropout(double rate) : Layer("dropout"), rate_(rate) {
    if (!(rate >= 0.0 && rate < 1.0 && static_cast<float>(rate) < 1.0f)) {
        std::ostringstream os;
        os << "rate must be in [0, 1), got " << rate;
        value_error("dropout", os.str());
    }
}

void Dropout::get_config(ConfigWriter& c) const {
    c.number("rate", rate_);
    c.null("noise_shape");
    c.null("seed");
}

std::unique_ptr<Layer> Dropout::from_config(const ConfigReader& c) {
    if (c.has("noise_shape")) c.fail("'noise_shape' is not supported by tapenet (it must be null)");
    return std::make_unique<Dropout>(c.number("rate"));
}

void Dropout::on_built(const Shape&, Rng& rng) { rng_ = rng; }

Tensor Dropout::call(const Tensor& x, const Tensor&, bool training) const {
    if (!training || rate_ == 0.0) return x;
    return dropout(x, static_cast<float>(rate_), rng_);
}

}  // namespace tn
