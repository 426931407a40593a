#include "train/model.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <numeric>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/ops.h"
#include "core/tape.h"
#include "layers/dense.h"
#include "train/progress_bar.h"

namespace tn {

namespace {

// Seeds the shuffling apart from layer 0 (which uses Rng(seed) for its initial weights).
constexpr uint64_t kShuffleStream = 0x5348554646'4c45ULL;  // "SHUFFLE"

bool has_accuracy(const Loss& loss) {
    return loss.name == "binary_crossentropy" || loss.name == "sparse_categorical_crossentropy";
}

std::vector<int64_t> range(int64_t begin, int64_t end) {
    std::vector<int64_t> v(static_cast<size_t>(end - begin));
    std::iota(v.begin(), v.end(), begin);
    return v;
}

std::string non_finite_name(float v) { return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"); }

// Throws naming `where`, `name` and the sample of the first NaN or infinity in t.
void check_finite(const std::string& where, const char* name, const Tensor& t) {
    const float* p = t.data();
    const float* bad = std::find_if(p, p + t.numel(), [](float v) { return !std::isfinite(v); });
    if (bad == p + t.numel()) return;
    const int64_t per_sample = t.numel() / t.dim(0);
    value_error(where, std::string(name) + " holds " + non_finite_name(*bad) + " at sample " +
                           std::to_string((bad - p) / per_sample) + "; tapenet trains only on finite values");
}


}  // namespace

Model::Model(uint64_t seed, std::string name) : Network(seed, std::move(name)), shuffle_rng_(seed ^ kShuffleStream) {}

Model::Model(const KerasTensors& inputs, const KerasTensors& outputs, std::string name, uint64_t seed)
    : Network(inputs, outputs, std::move(name), seed), shuffle_rng_(seed ^ kShuffleStream) {}

void Model::set_seed(uint64_t seed) {
    Network::set_seed(seed);
    shuffle_rng_ = Rng(seed ^ kShuffleStream);
}

// ---- the logits path ----

bool Model::uses_logits() const {
    if (loss_.name != "binary_crossentropy" || layers().empty()) return false;
    const Layer& last = built() ? output_layer(0) : *layers().back();  // a Sequential stack is built by fit
    const auto* dense = dynamic_cast<const Dense*>(&last);
    return dense && dense->activation() == ActivationKind::sigmoid;
}

Tensor Model::forward_for_loss(const Tensor& x, bool training) {
    if (built() && (input_nodes().size() != 1 || outputs().size() != 1))
        value_error("model", "fit and evaluate take a model of one input and one output (this one has " +
                                 std::to_string(input_nodes().size()) + " and " + std::to_string(outputs().size()) + ")");
    return run({x}, training, uses_logits())[0];  // with logits: the last Dense without its sigmoid
}

// ---- loss and accuracy ----

Tensor Model::compute_loss(const Tensor& output, const Tensor& y) const {
    return uses_logits() ? binary_crossentropy_from_logits(output, y) : loss_.fn(output, y);
}

void Model::count_correct(const Tensor& output, const Tensor& y, BatchResult& r) const {
    if (loss_.name == "binary_crossentropy") {
        // Keras' binary_accuracy: (p > 0.5) == y_true; on logits that is x > 0.
        const float threshold = uses_logits() ? 0.0f : 0.5f;
        for (int64_t i = 0; i < output.numel(); ++i)
            r.correct += (output[i] > threshold ? 1.0f : 0.0f) == y[i];
        r.counted += output.numel();
    } else if (loss_.name == "sparse_categorical_crossentropy") {
        const int64_t classes = output.dim(-1);
        const int64_t rows = output.numel() / classes;
        for (int64_t b = 0; b < rows; ++b) {
            const float* row = output.data() + b * classes;
            const int64_t argmax = std::max_element(row, row + classes) - row;
            r.correct += static_cast<float>(argmax) == y[b];
        }
        r.counted += rows;
    }
}

// ---- training ----

void Model::compile(const std::string& loss, std::unique_ptr<Optimizer> optimizer) {
    compile(loss_by_name(loss), std::move(optimizer));
}

void Model::compile(Loss loss, std::unique_ptr<Optimizer> optimizer) {
    if (!optimizer) value_error("model", "compile() needs an optimizer, e.g. std::make_unique<tn::Adam>()");
    if (!loss.fn) value_error("model", "compile() got a loss '" + loss.name + "' without a function");
    loss_ = std::move(loss);
    optimizer_ = std::move(optimizer);
}

Optimizer& Model::optimizer() {
    check_compiled("optimizer");
    return *optimizer_;
}

void Model::check_compiled(const char* op) const {
    if (!optimizer_)
        value_error(std::string("model.") + op, "the model is not compiled; call compile(loss, optimizer) first");
}

void Model::check_xy(const char* op, const Tensor& x, const Tensor& y) const {
    const std::string where = std::string("model.") + op;
    if (!x.defined() || !y.defined()) value_error(where, "x or y is undefined");
    if (x.ndim() < 1 || y.ndim() < 1)
        shape_error(where, "x and y need a first (sample) axis, got " + shape_str(x.shape()) + " and " +
                               shape_str(y.shape()));
    if (x.dim(0) != y.dim(0))
        shape_error(where, "x has " + std::to_string(x.dim(0)) + " samples " + shape_str(x.shape()) + " but y has " +
                               std::to_string(y.dim(0)) + " " + shape_str(y.shape()));
    if (x.dim(0) == 0) value_error(where, "x has no samples");
}

Shape Model::output_shape_for(const Tensor& x) {
    NoGrad no_grad;
    Shape shape = forward(take_rows(x, {0}), /*training=*/false).shape();
    shape[0] = x.dim(0);
    return shape;
}

void Model::check_data(const std::string& where, const Tensor& x, const Tensor& y) {
    check_finite(where, "x", x);
    check_targets(where, loss_.name, output_shape_for(x), y);
}

Model::BatchResult Model::train_step(const Tensor& x, const Tensor& y, const char* check_targets_for) {
    BatchResult r;
    zero_grad();
    try {
        Tensor out = forward_for_loss(x, /*training=*/true);
        if (check_targets_for) check_targets(check_targets_for, loss_.name, out.shape(), y);
        Tensor loss = compute_loss(out, y);
        r.loss = loss.item();
        count_correct(out, y, r);
        if (!std::isfinite(r.loss)) {
            tape::clear();  // drop the recorded step: the weights stay as they are
            return r;
        }
        loss.backward();  // also clears the tape
    } catch (...) {
        tape::clear();
        throw;
    }
    const std::vector<Param> ps = params();
    for (const Param& p : ps) {
        const GradSlot& g = p.value.grad_slot();
        if (!g || !g->has()) continue;
        for (float v : g->g)
            if (!std::isfinite(v)) {
                r.bad_gradient = p.name;
                r.bad_value = v;
                return r;
            }
    }
    optimizer_->step(ps);
    return r;
}

float Model::train_on_batch(const Tensor& x, const Tensor& y) {
    check_compiled("train_on_batch");
    check_xy("train_on_batch", x, y);
    const BatchResult r = train_step(x, y, "model.train_on_batch");
    if (!std::isfinite(r.loss))
        throw std::runtime_error("train_on_batch: loss became " + non_finite_name(r.loss) +
                                 "; the step was not applied");
    if (!r.bad_gradient.empty())
        throw std::runtime_error("train_on_batch: gradient of '" + r.bad_gradient + "' became " +
                                 non_finite_name(r.bad_value) + "; the step was not applied");
    return r.loss;
}

// ---- evaluation ----

Evaluation Model::evaluate_impl(const Tensor& x, const Tensor& y, int64_t batch_size) {
    NoGrad no_grad;
    const int64_t n = x.dim(0);
    double loss_sum = 0;
    BatchResult counts;
    for (int64_t start = 0; start < n; start += batch_size) {
        const std::vector<int64_t> rows = range(start, std::min(n, start + batch_size));
        const Tensor yb = take_rows(y, rows);
        const Tensor out = forward_for_loss(take_rows(x, rows), /*training=*/false);
        loss_sum += static_cast<double>(compute_loss(out, yb).item()) * static_cast<double>(rows.size());
        count_correct(out, yb, counts);
    }
    Evaluation ev;
    ev.loss = static_cast<float>(loss_sum / static_cast<double>(n));
    if (has_accuracy(loss_) && counts.counted > 0)
        ev.accuracy = static_cast<float>(counts.correct) / static_cast<float>(counts.counted);
    return ev;
}

Evaluation Model::evaluate(const Tensor& x, const Tensor& y, int64_t batch_size) {
    check_compiled("evaluate");
    check_xy("evaluate", x, y);
    if (batch_size <= 0) value_error("model.evaluate", "batch_size must be > 0, got " + std::to_string(batch_size));
    check_data("model.evaluate", x, y);
    return evaluate_impl(x, y, batch_size);
}

// ---- fit ----

History Model::fit(const Tensor& x_in, const Tensor& y_in, const FitOptions& o) {
    check_compiled("fit");
    check_xy("fit", x_in, y_in);
    if (o.epochs < 0) value_error("model.fit", "epochs must be >= 0, got " + std::to_string(o.epochs));
    if (o.initial_epoch < 0 || o.initial_epoch > o.epochs)
        value_error("model.fit", "initial_epoch must be in [0, epochs = " + std::to_string(o.epochs) + "], got " +
                                     std::to_string(o.initial_epoch));
    if (o.batch_size <= 0) value_error("model.fit", "batch_size must be > 0, got " + std::to_string(o.batch_size));
    if (!(o.validation_split >= 0 && o.validation_split < 1))
        value_error("model.fit", "validation_split must be in [0, 1), got " + std::to_string(o.validation_split));
    if (o.verbose < 0 || o.verbose > 2)
        value_error("model.fit", "verbose must be 0, 1 or 2, got " + std::to_string(o.verbose));

    // Training and validation sets. validation_split holds out the last fraction, as Keras does.
    Tensor x = x_in, y = y_in, val_x = o.validation_data.x, val_y = o.validation_data.y;
    if (val_x.defined() != val_y.defined())
        value_error("model.fit", "validation_data needs both x and y");
    if (val_x.defined()) {
        check_xy("fit (validation_data)", val_x, val_y);
    } else if (o.validation_split > 0) {
        const int64_t n = x.dim(0);
        const auto split_at = static_cast<int64_t>(std::floor(static_cast<double>(n) * (1.0 - o.validation_split)));
        if (split_at <= 0 || split_at >= n)
            value_error("model.fit", "validation_split " + std::to_string(o.validation_split) + " of " +
                                         std::to_string(n) + " samples leaves no training or no validation sample");
        val_x = take_rows(x, range(split_at, n));
        val_y = take_rows(y, range(split_at, n));
        x = take_rows(x, range(0, split_at));
        y = take_rows(y, range(0, split_at));
    }
    if (!built()) build(x.shape());
    // The data, before any callback runs or any weight changes.
    check_data("model.fit", x_in, y_in);
    if (o.validation_data.x.defined()) check_data("model.fit (validation_data)", val_x, val_y);

    // The progress bar first, so that its epoch line precedes what the caller's callbacks print.
    Callback progress;
    if (o.verbose > 0) progress = progress_bar_callback(o.out ? *o.out : std::cout, o.verbose);
    std::vector<const Callback*> callbacks{&progress};
    for (const Callback& cb : o.callbacks) callbacks.push_back(&cb);

    const TrainBegin train{o.initial_epoch, o.epochs, (x.dim(0) + o.batch_size - 1) / o.batch_size};
    for (const Callback* cb : callbacks)
        if (cb->on_train_begin) cb->on_train_begin(train);
    History history;
    stop_training = false;
    for (int epoch = o.initial_epoch; epoch < o.epochs && !stop_training; ++epoch) {
        for (const Callback* cb : callbacks)
            if (cb->on_epoch_begin) cb->on_epoch_begin(epoch);
        const EpochSums sums = fit_epoch(epoch, x, y, o, callbacks);

        EpochLogs logs;
        logs.epoch = epoch;
        logs.loss = static_cast<float>(sums.loss / static_cast<double>(std::max<int64_t>(sums.seen, 1)));
        if (has_accuracy(loss_) && sums.counted > 0)
            logs.accuracy = static_cast<float>(sums.correct) / static_cast<float>(sums.counted);
        if (val_x.defined()) {
            const Evaluation ev = evaluate_impl(val_x, val_y, o.batch_size);
            logs.val_loss = ev.loss;
            logs.val_accuracy = ev.accuracy;
        }
        history.loss.push_back(logs.loss);
        if (logs.accuracy) history.accuracy.push_back(*logs.accuracy);
        if (logs.val_loss) history.val_loss.push_back(*logs.val_loss);
        if (logs.val_accuracy) history.val_accuracy.push_back(*logs.val_accuracy);
        for (const Callback* cb : callbacks)
            if (cb->on_epoch_end) cb->on_epoch_end(epoch, logs);
    }
    return history;
}

Model::EpochSums Model::fit_epoch(int epoch, const Tensor& x, const Tensor& y, const FitOptions& o,
                                  const std::vector<const Callback*>& callbacks) {
    const int64_t n = x.dim(0);
    const int64_t steps = (n + o.batch_size - 1) / o.batch_size;
    // A fresh permutation each epoch: the order then depends only on shuffle_rng_'s state,
    // which a checkpoint saves, so resumed training sees the same batches.
    std::vector<int64_t> order = range(0, n);
    if (o.shuffle)  // Fisher-Yates
        for (int64_t i = n - 1; i > 0; --i)
            std::swap(order[i], order[shuffle_rng_.below(static_cast<uint64_t>(i + 1))]);

    EpochSums sums;
    for (int64_t s = 0; s < steps && !stop_training; ++s) {
        const std::vector<int64_t> rows(order.begin() + s * o.batch_size,
                                        order.begin() + std::min(n, (s + 1) * o.batch_size));
        const BatchResult r = train_step(take_rows(x, rows), take_rows(y, rows));
        const std::string where = " at epoch " + std::to_string(epoch + 1) + ", batch " + std::to_string(s + 1) +
                                  "; weights are those after the last good step";
        if (!std::isfinite(r.loss)) throw std::runtime_error("fit: loss became " + non_finite_name(r.loss) + where);
        if (!r.bad_gradient.empty())
            throw std::runtime_error("fit: gradient of '" + r.bad_gradient + "' became " +
                                     non_finite_name(r.bad_value) + where);
        const auto batch = static_cast<int64_t>(rows.size());
        sums.loss += static_cast<double>(r.loss) * static_cast<double>(batch);
        sums.seen += batch;
        sums.correct += r.correct;
        sums.counted += r.counted;
        MetricList running{{"loss", static_cast<float>(sums.loss / static_cast<double>(sums.seen))}};
        if (has_accuracy(loss_))
            running.emplace_back("accuracy", static_cast<float>(sums.correct) / static_cast<float>(sums.counted));
        for (const Callback* cb : callbacks) {
            if (cb->on_batch_end) cb->on_batch_end(static_cast<int>(s), r.loss);
            if (cb->on_batch_metrics) cb->on_batch_metrics(static_cast<int>(s), running);
        }
    }
    return sums;
}
}  // namespace tn
