#include "optim/sgd.h"

#include <cmath>

namespace tn {

SGD::SGD(SgdOptions options) : Optimizer("SGD", options.learning_rate, options.global_clipnorm), options_(options) {
    require(options.momentum >= 0 && options.momentum <= 1, "momentum", "in [0, 1]", options.momentum);
}

void SGD::get_config(ConfigWriter& c) const {
    Optimizer::get_config(c);
    c.number("momentum", options_.momentum);
    c.boolean("nesterov", options_.nesterov);
}

void SGD::update(const ParamUpdate& p, int64_t) {
    float* __restrict w = p.w;
    const float* __restrict g = p.g;
    const int64_t n = p.n;
    const float lr = static_cast<float>(learning_rate());
    if (options_.momentum == 0) {
        for (int64_t i = 0; i < n; ++i) w[i] -= lr * g[i];
        return;
    }
    const float mu = static_cast<float>(options_.momentum);
    float* __restrict v = slot_data(p, "velocity");
    for (int64_t i = 0; i < n; ++i) v[i] = mu * v[i] - lr * g[i];
    if (options_.nesterov) {
        for (int64_t i = 0; i < n; ++i) w[i] += mu * v[i] - lr * g[i];
    } else {
        for (int64_t i = 0; i < n; ++i) w[i] += v[i];
    }
}

}  // namespace tn
