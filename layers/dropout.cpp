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

Json Dropout::config() const { return Json::object({{"name", name()}, {"rate", rate_}}); }

void Dropout::build_params(const Shape&, Rng& rng) { rng_ = rng; }

Tensor Dropout::call(const Tensor& x, const Tensor&, bool training) const {
    if (!training || rate_ == 0.0) return x;
    return dropout(x, static_cast<float>(rate_), rng_);
}

}  // namespace tn
