// tapenet optim: stochastic gradient descent with optional momentum, in Keras' form.
//
//   momentum = 0:  w -= lr g
//   momentum > 0:  v = momentum v - lr g;  w += v                   (slot "velocity")
//   nesterov:      v = momentum v - lr g;  w += momentum v - lr g
//
// (PyTorch keeps v = momentum v + g and w -= lr v: the same steps while lr is constant.)
//
//   tn::SGD sgd(0.01, 0.9);                                   // lr, momentum
//   tn::SGD nesterov({.learning_rate = 0.1, .momentum = 0.9, .nesterov = true});
#pragma once

#include "optim/optimizer.h"

namespace tn {

struct SgdOptions {
    double learning_rate = 0.01;
    double momentum = 0.0;
    bool nesterov = false;
    double global_clipnorm = 0;  // 0 = off
};

class SGD : public Optimizer {
public:
    explicit SGD(SgdOptions options = {});
    explicit SGD(double learning_rate, double momentum = 0.0)
        : SGD(SgdOptions{.learning_rate = learning_rate, .momentum = momentum}) {}
    void get_config(ConfigWriter& config) const override;
    std::vector<std::string> slot_names() const override { return {"velocity"}; }
    const SgdOptions& options() const { return options_; }

protected:
    void update(const ParamUpdate& p, int64_t t) override;

private:
    SgdOptions options_;
};

}  // namespace tn
