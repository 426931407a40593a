// tapenet optim: the Optimizer base class: one update step over named parameters, and its state.
//
//   tn::Adam adam;                              // Keras defaults
//   tn::sum(model_output).backward();           // fills the parameters' gradients
//   adam.step(model.params());                  // w -= ... for every parameter that got a gradient
//   tn::OptimizerState s = adam.state();        // step count + slots "lstm/kernel/m", ... (copies)
//   other.load_state(s);                        // resumes exactly where `adam` is
//
// Parameters are tn::Param {name, value}; the name must be the full, unique name of the parameter
// in its model ("lstm/kernel"), because the optimizer keys its per-parameter state (Adam's m and v,
// SGD's momentum, ...) by it. A parameter whose gradient buffer is empty (no gradient flowed into
// it since the last zero_grad) is skipped, as Keras and PyTorch skip a None gradient.
//
// Optional gradient clipping by global norm (Keras' `global_clipnorm`): when the L2 norm of all
// gradients together exceeds c, every gradient is scaled by c / norm before the update.
//
// Subclasses (adam.h, sgd.h, rmsprop.h) implement `update` as plain float32 loops over one parameter.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/param.h"
#include "core/tensor.h"

namespace tn {

// Everything an optimizer remembers between steps. Restoring it (load_state) makes the next step
// identical to the one the saved optimizer would have taken.
struct OptimizerState {
    int64_t iterations = 0;                // updates applied so far (Keras' optimizer.iterations)
    std::map<std::string, Tensor> slots;   // "<param name>/<slot>", e.g. "lstm/kernel/m", param-shaped
};

class Optimizer {
public:
    // `class_name` is the Keras class name ("Adam"); it prefixes every error message.
    Optimizer(std::string class_name, double learning_rate, double global_clipnorm);
    virtual ~Optimizer() = default;
    Optimizer(const Optimizer&) = delete;
    Optimizer& operator=(const Optimizer&) = delete;

    // Keras class name: "Adam", "SGD", "RMSprop".
    const std::string& class_name() const { return class_name_; }
    // Keras-style config ("name", "learning_rate", ..., "global_clipnorm"); optimizer_from_config
    // rebuilds the same optimizer from it.
    virtual void get_config(ConfigWriter& config) const;

    // Applies one update to every parameter that has a gradient. Throws if none has one.
    void step(const std::vector<Param>& params);

    int64_t iterations() const { return iterations_; }
    double learning_rate() const { return learning_rate_; }
    void set_learning_rate(double lr);              // for schedules; must be > 0
    double global_clipnorm() const { return global_clipnorm_; }  // 0 = no clipping
    void set_global_clipnorm(double c);             // >= 0

    OptimizerState state() const;                   // deep copy
    void load_state(const OptimizerState& state);   // deep copy; checks slot names
    // One slot of one parameter, e.g. slot("lstm/kernel", "m") (a copy). Throws if it does not exist.
    Tensor slot(const std::string& param, const std::string& slot_name) const;
    // The slot names this optimizer keeps per parameter ({"m", "v"} for Adam).
    virtual std::vector<std::string> slot_names() const = 0;

protected:
    // One parameter being updated: its full name and shape, its values w[0..n) and gradient g[0..n).
    struct ParamUpdate {
        const std::string& name;
        const Shape& shape;
        float* w;
        const float* g;
        int64_t n;
    };
    // Updates one parameter in place at step t (1 for the first step).
    virtual void update(const ParamUpdate& p, int64_t t) = 0;
    // The slot `slot_name` of the parameter (zeros of its shape on first use): n floats.
    float* slot_data(const ParamUpdate& p, const std::string& slot_name);

    // Throws a tn::ValueError "<class_name>: <what> must be <rule>, got <value>" unless ok.
    void require(bool ok, const std::string& what, const std::string& rule, double value) const;

private:
    std::string class_name_;
    double learning_rate_;
    double global_clipnorm_;
    int64_t iterations_ = 0;
    std::map<std::string, Tensor> slots_;
};

// Rebuilds an optimizer of Keras class `class_name` ("Adam", "SGD", "RMSprop") from its config
// (what get_config writes; missing keys take the defaults). Unknown names throw a tn::ValueError.
std::unique_ptr<Optimizer> optimizer_from_config(const std::string& class_name, const ConfigReader& config);

}  // namespace tn
