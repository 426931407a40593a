// tapenet optim: RMSprop (Hinton), in Keras 2's form.
//
//   a = ρ a + (1 - ρ) g²          (slot "rms", starts at 0)
//   w -= lr g / (√a + ε)
//
// Keras' defaults: lr 0.001, ρ 0.9, ε 1e-7. (PyTorch's RMSprop has the same form with ε 1e-8 and
// α = ρ = 0.99.)
//
//   tn::RMSprop rms;                                          // Keras defaults
//   tn::RMSprop faster({.learning_rate = 0.01});
#pragma once

#include "optim/optimizer.h"

namespace tn {

struct RmspropOptions {
    double learning_rate = 0.001;
    double rho = 0.9;
    double epsilon = 1e-7;
    double global_clipnorm = 0;  // 0 = off
};

class RMSprop : public Optimizer {
public:
    explicit RMSprop(RmspropOptions options = {});
    void get_config(ConfigWriter& config) const override;
    std::vector<std::string> slot_names() const override { return {"rms"}; }
    const RmspropOptions& options() const { return options_; }

protected:
    void update(const ParamUpdate& p, int64_t t) override;

private:
    RmspropOptions options_;
};

}  // namespace tn
