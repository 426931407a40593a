#include "train/model.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/ops.h"
#include "core/tape.h"
#include "layers/dense.h"
#include "train/distributed.h"
#include "train/model_detail.h"

namespace tn {

namespace {

bool has_accuracy(const Loss& loss) {
    return loss.name == "binary_crossentropy" || loss.name == "sparse_categorical_crossentropy";
}

// Keras' binary_accuracy ((p > 0.5) == y, on logits x > 0) or sparse_categorical_accuracy (argmax).
void count_correct(const Tensor& output, const Tensor& y, const std::string& loss, bool logits, int64_t& correct,
                   int64_t& counted) {
    if (loss == "binary_crossentropy") {
        const float threshold = logits ? 0.0f : 0.5f;
        for (int64_t i = 0; i < output.numel(); ++i) correct += (output[i] > threshold ? 1.0f : 0.0f) == y[i];
        counted += output.numel();
    } else if (loss == "sparse_categorical_crossentropy") {
        const int64_t classes = output.dim(-1);
        const int64_t rows = output.numel() / classes;
        for (int64_t b = 0; b < rows; ++b) {
            const float* row = output.data() + b * classes;
            correct += static_cast<float>(std::max_element(row, row + classes) - row) == y[b];
        }
        counted += rows;
    }
}

}  // namespace

Model::Model(uint64_t seed, std::string name)
    : Network(seed, std::move(name)), shuffle_rng_(seed ^ model_detail::kShuffleStream) {}

Model::Model(const KerasTensors& inputs, const KerasTensors& outputs, std::string name, uint64_t seed)
    : Network(inputs, outputs, std::move(name), seed), shuffle_rng_(seed ^ model_detail::kShuffleStream) {}

void Model::set_seed(uint64_t seed) {
    Network::set_seed(seed);
    shuffle_rng_ = Rng(seed ^ model_detail::kShuffleStream);
}

// ---- compile ----

void Model::compile(const std::string& loss, std::unique_ptr<Optimizer> optimizer) {
    compile(loss_by_name(loss), std::move(optimizer));
}

void Model::compile(Loss loss, std::unique_ptr<Optimizer> optimizer) {
    compile(std::vector<Loss>{std::move(loss)}, std::move(optimizer));
}

void Model::compile(std::vector<Loss> losses, std::unique_ptr<Optimizer> optimizer, std::vector<float> loss_weights) {
    if (!optimizer) value_error("model", "compile() needs an optimizer, e.g. std::make_unique<tn::Adam>()");
    if (losses.empty()) value_error("model", "compile() needs at least one loss");
    for (const Loss& loss : losses)
        if (!loss.fn) value_error("model", "compile() got a loss '" + loss.name + "' without a function");
    for (float w : loss_weights)
        if (!std::isfinite(w)) value_error("model", "compile(): loss_weights must be finite");
    losses_ = std::move(losses);
    loss_weights_ = std::move(loss_weights);
    losses_by_name_.clear();
    weights_by_name_.clear();
    optimizer_ = std::move(optimizer);
}

void Model::compile(const std::vector<std::string>& losses, std::unique_ptr<Optimizer> optimizer,
                    std::vector<float> loss_weights) {
    std::vector<Loss> fns;
    for (const std::string& name : losses) fns.push_back(loss_by_name(name));
    compile(std::move(fns), std::move(optimizer), std::move(loss_weights));
}

void Model::compile(const std::map<std::string, std::string>& losses, std::unique_ptr<Optimizer> optimizer,
                    std::map<std::string, float> loss_weights) {
    if (losses.empty()) value_error("model", "compile() needs at least one loss");
    std::map<std::string, Loss> fns;
    for (const auto& [output, name] : losses) fns[output] = loss_by_name(name);
    std::vector<Loss> placeholder{fns.begin()->second};
    compile(std::move(placeholder), std::move(optimizer));  // the optimizer's checks
    for (const auto& [output, w] : loss_weights) {
        if (!std::isfinite(w)) value_error("model", "compile(): loss_weights must be finite");
        if (!fns.count(output)) value_error("model", "compile(): loss_weights names '" + output + "', which has no loss");
    }
    losses_.clear();
    losses_by_name_ = std::move(fns);
    weights_by_name_ = std::move(loss_weights);
}

Optimizer& Model::optimizer() {
    check_compiled("optimizer");
    return *optimizer_;
}

const Loss& Model::loss() const {
    check_compiled("loss");
    return losses_.empty() ? losses_by_name_.begin()->second : losses_.front();
}

std::vector<Model::CompiledLoss> Model::compiled_losses() const {
    check_compiled("compiled_losses");
    std::vector<CompiledLoss> out;
    for (const OutputLoss& o : output_losses()) out.push_back({o.output, o.loss.name, o.weight});
    return out;
}

void Model::check_compiled(const char* op) const {
    if (!optimizer_)
        value_error(std::string("model.") + op, "the model is not compiled; call compile(loss, optimizer) first");
}

std::vector<std::string> Model::output_names() const {
    std::vector<std::string> names;
    if (!built()) {  // a Sequential stack before build: its last layer
        if (!layers().empty()) names.push_back(layers().back()->name());
        return names;
    }
    std::set<std::string> taken;
    std::map<std::string, int> next;
    for (size_t i = 0; i < outputs().size(); ++i) {  // Keras' Functional._set_output_names
        const std::string& base = output_layer(i).name();
        std::string name = base;
        while (taken.count(name)) name = base + "_" + std::to_string(next.emplace(base, 1).first->second++);
        taken.insert(name);
        names.push_back(name);
    }
    return names;
}

std::vector<Model::OutputLoss> Model::output_losses() const {
    const std::vector<std::string> names = output_names();
    const size_t n = names.size();
    auto list = [&] {
        std::string s;
        for (const std::string& name : names) s += (s.empty() ? "'" : ", '") + name + "'";
        return s;
    };
    std::vector<OutputLoss> out(n);
    for (size_t i = 0; i < n; ++i) out[i].output = names[i];
    if (!losses_by_name_.empty()) {
        for (const auto& [name, loss] : losses_by_name_)
            if (std::find(names.begin(), names.end(), name) == names.end())
                value_error("model", "compile() got a loss for '" + name + "', which is no output; the outputs are " + list());
        for (OutputLoss& o : out) {
            const auto it = losses_by_name_.find(o.output);
            if (it == losses_by_name_.end())
                value_error("model", "compile() got no loss for output '" + o.output + "'; the outputs are " + list());
            o.loss = it->second;
            if (const auto w = weights_by_name_.find(o.output); w != weights_by_name_.end()) o.weight = w->second;
        }
    } else {
        if (losses_.size() != 1 && losses_.size() != n)
            value_error("model", "compile() got " + std::to_string(losses_.size()) + " losses for " + std::to_string(n) +
                                     " outputs (" + list() + "): give one loss, or one per output");
        if (!loss_weights_.empty() && loss_weights_.size() != n)
            value_error("model", "compile() got " + std::to_string(loss_weights_.size()) + " loss_weights for " +
                                     std::to_string(n) + " outputs (" + list() + ")");
        for (size_t i = 0; i < n; ++i) {
            out[i].loss = losses_.size() == 1 ? losses_[0] : losses_[i];
            if (!loss_weights_.empty()) out[i].weight = loss_weights_[i];
        }
    }
    // As Keras: an output made by Dense(..., "sigmoid") trained with binary_crossentropy gives the
    // loss its logits (a Sequential stack is built by fit, so its last layer is known here).
    for (size_t i = 0; i < n; ++i) {
        const Layer& maker = built() ? output_layer(i) : *layers().back();
        const auto* dense = dynamic_cast<const Dense*>(&maker);
        out[i].logits = out[i].loss.name == "binary_crossentropy" && dense && dense->activation() == ActivationKind::sigmoid;
    }
    return out;
}

// ---- one step ----

std::vector<Tensor> Model::forward_for_loss(const std::vector<Tensor>& x, const std::vector<OutputLoss>& losses,
                                            bool training) {
    std::vector<bool> logits;
    for (const OutputLoss& o : losses) logits.push_back(o.logits);
    return run(x, training, logits);
}

Tensor Model::compute_loss(const std::vector<Tensor>& outputs, const std::vector<Tensor>& y,
                           const std::vector<OutputLoss>& losses, BatchResult& r) const {
    Tensor total;
    r.output_losses.assign(losses.size(), 0.0f);
    r.correct.resize(losses.size(), 0);
    r.counted.resize(losses.size(), 0);
    for (size_t k = 0; k < losses.size(); ++k) {
        const OutputLoss& o = losses[k];
        const Tensor lk = o.logits ? binary_crossentropy_from_logits(outputs[k], y[k]) : o.loss.fn(outputs[k], y[k]);
        r.output_losses[k] = lk.item();
        count_correct(outputs[k], y[k], o.loss.name, o.logits, r.correct[k], r.counted[k]);
        const Tensor weighted = o.weight == 1.0f ? lk : lk * o.weight;  // sum_k w_k loss_k
        total = total.defined() ? total + weighted : weighted;
    }
    return total;
}

Model::BatchResult Model::train_step(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                                     const std::vector<OutputLoss>& losses, const char* check_targets_for) {
    BatchResult r;
    zero_grad();
    if (compute_gradients(x, y, losses, r, check_targets_for)) step_if_finite(params(), r);
    return r;
}

bool Model::compute_gradients(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                              const std::vector<OutputLoss>& losses, BatchResult& r, const char* check_targets_for) {
    try {
        const std::vector<Tensor> out = forward_for_loss(x, losses, /*training=*/true);
        if (check_targets_for)
            for (size_t k = 0; k < out.size(); ++k)
                check_targets(output_where(check_targets_for, k), losses[k].loss.name, out[k].shape(), y[k]);
        Tensor loss = compute_loss(out, y, losses, r);
        r.loss = loss.item();
        if (!std::isfinite(r.loss)) {
            tape::clear();  // drop the recorded step: the weights stay as they are
            return false;
        }
        loss.backward();  // also clears the tape
        return true;
    } catch (...) {
        tape::clear();
        throw;
    }
}

void Model::step_if_finite(const std::vector<Param>& ps, BatchResult& r) {
    for (const Param& p : ps) {
        const GradSlot& g = p.value.grad_slot();
        if (!g || !g->has()) continue;
        for (float v : g->g)
            if (!std::isfinite(v)) {
                r.bad_gradient = p.name;
                r.bad_value = v;
                return;
            }
    }
    optimizer_->step(ps);
}

float Model::train_on_batch(const std::vector<Tensor>& x, const std::vector<Tensor>& y) {
    check_compiled("train_on_batch");
    check_xy("model.train_on_batch", x, y);
    const BatchResult r = train_step(x, y, output_losses(), "model.train_on_batch");
    if (!std::isfinite(r.loss))
        throw std::runtime_error("train_on_batch: loss became " + model_detail::non_finite_name(r.loss) +
                                 "; the step was not applied");
    if (!r.bad_gradient.empty())
        throw std::runtime_error("train_on_batch: gradient of '" + r.bad_gradient + "' became " +
                                 model_detail::non_finite_name(r.bad_value) + "; the step was not applied");
    return r.loss;
}

float Model::train_on_batch(const Tensor& x, const Tensor& y) { return train_on_batch(std::vector{x}, std::vector{y}); }

// ---- evaluation ----

void Model::EpochSums::add(const BatchResult& r, int64_t batch) {
    const auto b = static_cast<double>(batch);
    loss += static_cast<double>(r.loss) * b;
    output_losses.resize(r.output_losses.size(), 0.0);
    correct.resize(r.output_losses.size(), 0);
    counted.resize(r.output_losses.size(), 0);
    for (size_t k = 0; k < r.output_losses.size(); ++k) {
        output_losses[k] += static_cast<double>(r.output_losses[k]) * b;
        correct[k] += r.correct[k];
        counted[k] += r.counted[k];
    }
    seen += batch;
}

MetricList Model::EpochSums::metrics(const std::vector<OutputLoss>& losses, const std::string& prefix) const {
    const double n = static_cast<double>(std::max<int64_t>(seen, 1));
    MetricList m{{prefix + "loss", static_cast<float>(loss / n)}};
    auto accuracy = [&](size_t k) { return static_cast<float>(correct[k]) / static_cast<float>(counted[k]); };
    if (losses.size() == 1) {
        if (has_accuracy(losses[0].loss) && !counted.empty() && counted[0] > 0) m.emplace_back(prefix + "accuracy", accuracy(0));
        return m;
    }
    for (size_t k = 0; k < losses.size() && k < output_losses.size(); ++k)
        m.emplace_back(prefix + losses[k].output + "_loss", static_cast<float>(output_losses[k] / n));
    for (size_t k = 0; k < losses.size() && k < counted.size(); ++k)
        if (has_accuracy(losses[k].loss) && counted[k] > 0) m.emplace_back(prefix + losses[k].output + "_accuracy", accuracy(k));
    return m;
}

Model::EpochSums Model::evaluate_sums(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                                      const std::vector<OutputLoss>& losses, int64_t batch_size) {
    NoGrad no_grad;
    // Distributed, each rank evaluates its contiguous share of the samples and the sums are added.
    const int64_t world = distributed::world_size(), rank = distributed::rank(), all = x[0].dim(0);
    const int64_t first = all * rank / world, n = all * (rank + 1) / world;
    EpochSums sums;
    for (int64_t start = first; start < n; start += batch_size) {
        const std::vector<int64_t> rows = model_detail::range(start, std::min(n, start + batch_size));
        const std::vector<Tensor> yb = model_detail::take_rows_of(y, rows);
        const std::vector<Tensor> out = forward_for_loss(model_detail::take_rows_of(x, rows), losses, /*training=*/false);
        BatchResult r;
        r.loss = compute_loss(out, yb, losses, r).item();
        sums.add(r, static_cast<int64_t>(rows.size()));
    }
    if (world > 1) reduce_over_ranks(sums, losses.size());
    return sums;
}

Evaluation Model::evaluate(const std::vector<Tensor>& x, const std::vector<Tensor>& y, int64_t batch_size) {
    if (distributed::world_size() == 1) return evaluate_here(x, y, batch_size);
    try {  // as fit: one rank's exception ends the job
        return evaluate_here(x, y, batch_size);
    } catch (const std::exception& e) {
        distributed::abort(std::string("model.evaluate: ") + e.what());
    }
}

Evaluation Model::evaluate_here(const std::vector<Tensor>& x, const std::vector<Tensor>& y, int64_t batch_size) {
    check_compiled("evaluate");
    check_xy("model.evaluate", x, y);
    if (batch_size <= 0) value_error("model.evaluate", "batch_size must be > 0, got " + std::to_string(batch_size));
    const std::vector<OutputLoss> losses = output_losses();
    check_data("model.evaluate", x, y, losses);
    const MetricList m = evaluate_sums(x, y, losses, batch_size).metrics(losses, "");
    Evaluation ev;
    ev.loss = m[0].second;
    for (size_t i = 1; i < m.size(); ++i) {
        if (m[i].first == "accuracy") ev.accuracy = m[i].second;
        else ev.outputs.push_back(m[i]);
    }
    return ev;
}

Evaluation Model::evaluate(const Tensor& x, const Tensor& y, int64_t batch_size) {
    return evaluate(std::vector{x}, std::vector{y}, batch_size);
}

}  // namespace tn
