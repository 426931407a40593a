#include "optim/rmsprop.h"

#include <cmath>

namespace tn {

RMSprop::RMSprop(RmspropOptions options)
    : Optimizer("RMSprop", options.learning_rate, options.global_clipnorm), options_(options) {
    require(options.rho >= 0 && options.rho < 1, "rho", "in [0, 1)", options.rho);
    require(options.epsilon >= 0 && std::isfinite(options.epsilon), "epsilon", ">= 0", options.epsilon);
}

void RMSprop::get_config(ConfigWriter& c) const {
    Optimizer::get_config(c);
    c.number("rho", options_.rho);
    c.number("epsilon", options_.epsilon);
}

void RMSprop::update(const ParamUpdate& p, int64_t) {
    float* __restrict a = slot_data(p, "rms");
    float* __restrict w = p.w;
    const float* __restrict g = p.g;
    const int64_t n = p.n;
    const float rho = static_cast<float>(options_.rho), c = static_cast<float>(1.0 - options_.rho);
    const float lr = static_cast<float>(learning_rate()), eps = static_cast<float>(options_.epsilon);
    for (int64_t i = 0; i < n; ++i) {
        a[i] = rho * a[i] + c * g[i] * g[i];
        w[i] -= lr * g[i] / (std::sqrt(a[i]) + eps);
    }
}

}  // namespace tn
