#include "optim/optimizer.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "core/error.h"
#include "optim/adam.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"

namespace tn {

Optimizer::Optimizer(std::string class_name, double learning_rate, double global_clipnorm)
    : class_name_(std::move(class_name)), learning_rate_(learning_rate), global_clipnorm_(global_clipnorm) {
    set_learning_rate(learning_rate);
    set_global_clipnorm(global_clipnorm);
}

void Optimizer::require(bool ok, const std::string& what, const std::string& rule, double value) const {
    if (ok) return;
    std::ostringstream os;
    os << what << " must be " << rule << ", got " << value;
    value_error(class_name_, os.str());
}

void Optimizer::set_learning_rate(double lr) {
    require(lr > 0 && std::isfinite(lr), "learning_rate", "> 0", lr);
    learning_rate_ = lr;
}

void Optimizer::set_global_clipnorm(double c) {
    require(c >= 0 && std::isfinite(c), "global_clipnorm", ">= 0 (0 = off)", c);
    global_clipnorm_ = c;
}

void Optimizer::get_config(ConfigWriter& c) const {
    c.text("name", class_name_);
    c.number("learning_rate", learning_rate_);
    if (global_clipnorm_ > 0)
        c.number("global_clipnorm", global_clipnorm_);
    else
        c.null("global_clipnorm");
}

void Optimizer::step(const std::vector<Param>& params) {
    if (params.empty()) return;
    std::set<std::string> names;
    std::vector<const Param*> with_grad;
    for (const Param& p : params) {
        if (!names.insert(p.name).second)
            value_error(class_name_, "two parameters are named '" + p.name +
                                         "'; the optimizer keeps its state by name, so names must be unique");
        const GradSlot& gs = p.value.grad_slot();
        if (!gs || !gs->has()) continue;
        if (static_cast<int64_t>(gs->g.size()) != p.value.numel())
            shape_error(class_name_, "gradient of '" + p.name + "' has " + std::to_string(gs->g.size()) +
                                         " elements, the parameter " + shape_str(p.value.shape()));
        with_grad.push_back(&p);
    }
    if (with_grad.empty())
        value_error(class_name_, "no parameter has a gradient; call backward() on the loss before step()");

    // Clipping by global norm: scale all gradients by c / ||g|| when ||g|| > c.
    float scale = 1.0f;
    if (global_clipnorm_ > 0) {
        double squares = 0;
        for (const Param* p : with_grad)
            for (float g : p->value.grad_slot()->g) squares += static_cast<double>(g) * g;
        const double norm = std::sqrt(squares);
        if (norm > global_clipnorm_) scale = static_cast<float>(global_clipnorm_ / norm);
    }

    ++iterations_;
    std::vector<float> scaled;
    for (const Param* p : with_grad) {
        Tensor w = p->value;  // a handle sharing the parameter's storage
        const float* g = w.grad_slot()->g.data();
        if (scale != 1.0f) {
            scaled.assign(g, g + w.numel());
            for (float& x : scaled) x *= scale;
            g = scaled.data();
        }
        update(ParamUpdate{p->name, w.shape(), w.data(), g, w.numel()}, iterations_);
    }
}

float* Optimizer::slot_data(const ParamUpdate& p, const std::string& slot_name) {
    const std::string key = p.name + "/" + slot_name;
    auto it = slots_.find(key);
    if (it == slots_.end()) {
        it = slots_.emplace(key, Tensor::zeros(p.shape)).first;
    } else if (it->second.shape() != p.shape) {
        shape_error(class_name_, "state '" + key + "' has shape " + shape_str(it->second.shape()) +
                                     " but parameter '" + p.name + "' has shape " + shape_str(p.shape));
    }
    return it->second.data();
}

OptimizerState Optimizer::state() const {
    OptimizerState s;
    s.iterations = iterations_;
    for (const auto& [key, t] : slots_) s.slots.emplace(key, t.clone());
    return s;
}

void Optimizer::load_state(const OptimizerState& state) {
    if (state.iterations < 0)
        value_error(class_name_, "load_state: iterations must be >= 0, got " + std::to_string(state.iterations));
    const std::vector<std::string> known = slot_names();
    std::map<std::string, Tensor> slots;
    for (const auto& [key, t] : state.slots) {
        const size_t slash = key.rfind('/');
        const std::string slot_name = slash == std::string::npos ? "" : key.substr(slash + 1);
        if (slash == 0 || std::find(known.begin(), known.end(), slot_name) == known.end()) {
            std::string valid;
            for (const auto& k : known) valid += (valid.empty() ? "" : ", ") + k;
            value_error(class_name_, "load_state: '" + key + "' is not '<parameter>/<slot>' with a slot of " +
                                         class_name_ + " (" + valid + ")");
        }
        if (!t.defined()) value_error(class_name_, "load_state: tensor '" + key + "' is undefined");
        slots.emplace(key, t.clone());
    }
    slots_ = std::move(slots);
    iterations_ = state.iterations;
}

Tensor Optimizer::slot(const std::string& param, const std::string& slot_name) const {
    const auto it = slots_.find(param + "/" + slot_name);
    if (it == slots_.end())
        value_error(class_name_, "no state '" + param + "/" + slot_name + "' (has that parameter been stepped?)");
    return it->second.clone();
}

std::unique_ptr<Optimizer> optimizer_from_config(const std::string& name, const ConfigReader& c) {
    const double clip = c.number("global_clipnorm", 0.0);
    if (name == "Adam") {
        AdamOptions o;
        o.learning_rate = c.number("learning_rate", o.learning_rate);
        o.beta_1 = c.number("beta_1", o.beta_1);
        o.beta_2 = c.number("beta_2", o.beta_2);
        o.epsilon = c.number("epsilon", o.epsilon);
        const std::string form = c.text("form", "keras");
        if (form != "keras" && form != "torch") c.fail("'form' must be \"keras\" or \"torch\", got \"" + form + "\"");
        o.form = form == "torch" ? AdamForm::torch : AdamForm::keras;
        o.global_clipnorm = clip;
        return std::make_unique<Adam>(o);
    }
    if (name == "SGD") {
        SgdOptions o;
        o.learning_rate = c.number("learning_rate", o.learning_rate);
        o.momentum = c.number("momentum", o.momentum);
        o.nesterov = c.boolean("nesterov", false);
        o.global_clipnorm = clip;
        return std::make_unique<SGD>(o);
    }
    if (name == "RMSprop") {
        RmspropOptions o;
        o.learning_rate = c.number("learning_rate", o.learning_rate);
        o.rho = c.number("rho", o.rho);
        o.epsilon = c.number("epsilon", o.epsilon);
        o.global_clipnorm = clip;
        return std::make_unique<RMSprop>(o);
    }
    value_error("optimizer_from_config", "unknown optimizer '" + name + "'; valid optimizers are: Adam, SGD, RMSprop");
}

}  // namespace tn
