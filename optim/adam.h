// tapenet optim: Adam (Kingma & Ba), in Keras' form by default.
//
//   m = β1 m + (1 - β1) g          v = β2 v + (1 - β2) g²          (t = 1, 2, ...)
//   keras: lr_t = lr √(1 - β2ᵗ) / (1 - β1ᵗ);   w -= lr_t m / (√v + ε)          ("ε-hat" form)
//   torch: m̂ = m / (1 - β1ᵗ), v̂ = v / (1 - β2ᵗ); w -= lr m̂ / (√v̂ + ε)       (PyTorch, TF.js)
//
// The two forms differ only in where ε sits: Keras adds it to √v, the other to √v̂ = √v / √(1 - β2ᵗ),
// which matters when gradients are tiny (|g| ~ ε). Keras' defaults: lr 0.001, β1 0.9, β2 0.999,
// ε 1e-7 (PyTorch's default ε is 1e-8: set it when you want PyTorch's numbers).
//
//   tn::Adam adam;                                                  // Keras defaults
//   tn::Adam torch_like({.epsilon = 1e-8, .form = tn::AdamForm::torch});
//   tn::Adam clipped({.learning_rate = 0.01, .global_clipnorm = 1.0});
#pragma once

#include "optim/optimizer.h"

namespace tn {

enum class AdamForm { keras, torch };

struct AdamOptions {
    double learning_rate = 0.001;
    double beta_1 = 0.9;
    double beta_2 = 0.999;
    double epsilon = 1e-7;
    AdamForm form = AdamForm::keras;
    double global_clipnorm = 0;  // 0 = off
};

class Adam : public Optimizer {
public:
    explicit Adam(AdamOptions options = {});
    void get_config(ConfigWriter& config) const override;
    std::vector<std::string> slot_names() const override { return {"m", "v"}; }
    const AdamOptions& options() const { return options_; }

protected:
    void update(const ParamUpdate& p, int64_t t) override;

private:
    AdamOptions options_;
};

}  // namespace tn
