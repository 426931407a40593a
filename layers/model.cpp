#include "layers/model.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <iostream>
#include <numeric>
#include <stdexcept>

#include "core/error.h"
#include "core/ops.h"
#include "core/tape.h"
#include "layers/dense.h"
#include "layers/summary.h"

namespace tn {

namespace {

// Keras' default layer name for a class: "Dense" -> "dense", "LSTM" -> "lstm", "LSTMCell" -> "lstm_cell".
std::string snake_case(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (i > 0 && std::isupper(c)) {
            const auto prev = static_cast<unsigned char>(s[i - 1]);
            const bool next_lower = i + 1 < s.size() && std::islower(static_cast<unsigned char>(s[i + 1]));
            if (std::islower(prev) || std::isdigit(prev) || (std::isupper(prev) && next_lower)) out += '_';
        }
        out += static_cast<char>(std::tolower(c));
    }
    return out;
}

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

}  // namespace

Tensor take_rows(const Tensor& x, const std::vector<int64_t>& rows) {
    if (!x.defined() || x.ndim() < 1) shape_error("take_rows", "needs a tensor with a first (sample) axis");
    const int64_t n = x.dim(0);
    const int64_t row_size = n > 0 ? x.numel() / n : 0;
    Shape shape = x.shape();
    shape[0] = static_cast<int64_t>(rows.size());
    Tensor out(shape);
    for (size_t k = 0; k < rows.size(); ++k) {
        if (rows[k] < 0 || rows[k] >= n)
            shape_error("take_rows", "row " + std::to_string(rows[k]) + " is out of range for shape " +
                                         shape_str(x.shape()));
        std::memcpy(out.data() + static_cast<int64_t>(k) * row_size, x.data() + rows[k] * row_size,
                    static_cast<size_t>(row_size) * sizeof(float));
    }
    return out;
}

MetricList EpochLogs::items() const {
    MetricList m{{"loss", loss}};
    if (accuracy) m.emplace_back("accuracy", *accuracy);
    if (val_loss) m.emplace_back("val_loss", *val_loss);
    if (val_accuracy) m.emplace_back("val_accuracy", *val_accuracy);
    return m;
}

Model::Model(uint64_t seed, std::string name) : seed_(seed), name_(std::move(name)), shuffle_rng_(seed ^ kShuffleStream) {}

// ---- structure ----

Layer& Model::add(std::unique_ptr<Layer> layer) {
    if (!layer) value_error("model", "add() got a null layer");
    auto taken = [&](const std::string& n) {
        return std::any_of(layers_.begin(), layers_.end(), [&](const auto& l) { return l->name() == n; });
    };
    const std::string base = snake_case(layer->class_name());
    if (layer->name().empty() || layer->name() == base) {
        std::string unique = base;
        for (int k = 1; taken(unique); ++k) unique = base + "_" + std::to_string(k);
        layer->set_name(unique);
    } else if (taken(layer->name())) {
        value_error("model", "a layer named '" + layer->name() + "' is already in the model; names must be unique");
    }
    if (!layer->built()) layer->set_seed(seed_ + layers_.size());
    layers_.push_back(std::move(layer));
    return *layers_.back();
}

void Model::set_seed(uint64_t seed) {
    seed_ = seed;
    for (size_t i = 0; i < layers_.size(); ++i)
        if (!layers_[i]->built()) layers_[i]->set_seed(seed + i);
    shuffle_rng_ = Rng(seed ^ kShuffleStream);
}

void Model::build(const Shape& input_shape) {
    if (layers_.empty()) value_error("model", "has no layers; add some with add() before build()");
    if (input_shape.empty()) shape_error("model", "build() needs an input shape with a batch axis first, e.g. {-1, 20, 1}");
    Shape shape = input_shape;
    shape[0] = -1;
    input_shape_ = shape;
    for (auto& layer : layers_) {
        layer->build(shape);
        shape = layer->output_shape(shape);
    }
}

std::string Model::summary() {
    if (!built())
        value_error("model", "summary() needs the input shape: call build({-1, ...}) or fit() first");
    std::vector<Layer*> ptrs;
    for (auto& l : layers_) ptrs.push_back(l.get());
    return tn::summary(ptrs, input_shape_, name_);
}

Layer& Model::layer(const std::string& name) {
    std::string names;
    for (auto& l : layers_) {
        if (l->name() == name) return *l;
        names += (names.empty() ? "" : ", ") + l->name();
    }
    value_error("model", "no layer named '" + name + "'; the layers are: " + (names.empty() ? "(none)" : names));
}

void Model::throw_no_layer_of_type() const {
    std::string names;
    for (auto& l : layers_) names += (names.empty() ? "" : ", ") + l->name() + " (" + l->class_name() + ")";
    value_error("model", "no layer of the requested type; the layers are: " + (names.empty() ? "(none)" : names));
}

std::vector<Param> Model::params() const {
    std::vector<Param> all;
    for (const auto& l : layers_)
        for (const Param& p : l->params()) all.push_back({l->name() + "/" + p.name, p.value});
    return all;
}

int64_t Model::count_params() const {
    int64_t n = 0;
    for (const auto& l : layers_) n += l->count_params();
    return n;
}

void Model::zero_grad() {
    for (auto& l : layers_)
        for (Param& p : l->params()) p.value.zero_grad();
}

// ---- forward ----

Tensor Model::forward(const Tensor& x, bool training) {
    if (layers_.empty()) value_error("model", "has no layers; add some with add()");
    Tensor h = x, mask;
    for (auto& layer : layers_) {
        Tensor out = layer->forward(h, mask, training);
        mask = layer->compute_mask(h, mask);
        h = out;
    }
    return h;
}

bool Model::uses_logits() const {
    if (loss_.name != "binary_crossentropy" || layers_.empty()) return false;
    const auto* dense = dynamic_cast<const Dense*>(layers_.back().get());
    return dense && dense->activation() == ActivationKind::sigmoid;
}

Tensor Model::forward_for_loss(const Tensor& x, bool training) {
    if (!uses_logits()) return forward(x, training);
    Tensor h = x, mask;
    for (size_t i = 0; i + 1 < layers_.size(); ++i) {
        Tensor out = layers_[i]->forward(h, mask, training);
        mask = layers_[i]->compute_mask(h, mask);
        h = out;
    }
    return static_cast<Dense&>(*layers_.back()).logits(h);  // the last Dense without its sigmoid
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

Model::BatchResult Model::train_step(const Tensor& x, const Tensor& y) {
    BatchResult r;
    zero_grad();
    try {
        Tensor out = forward_for_loss(x, /*training=*/true);
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
    const BatchResult r = train_step(x, y);
    if (!std::isfinite(r.loss))
        throw std::runtime_error("train_on_batch: loss became " + non_finite_name(r.loss) +
                                 "; the step was not applied");
    if (!r.bad_gradient.empty())
        throw std::runtime_error("train_on_batch: gradient of '" + r.bad_gradient + "' became " +
                                 non_finite_name(r.bad_value) + "; the step was not applied");
    return r.loss;
}

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

    const int64_t n = x.dim(0);
    const int64_t steps = (n + o.batch_size - 1) / o.batch_size;
    const bool accuracy = has_accuracy(loss_);
    ProgressBar progress(o.out ? *o.out : std::cout, o.verbose);
    History history;
    stop_training = false;
    for (int epoch = o.initial_epoch; epoch < o.epochs && !stop_training; ++epoch) {
        for (const auto& cb : o.callbacks)
            if (cb.on_epoch_begin) cb.on_epoch_begin(epoch);
        // A fresh permutation each epoch: the order then depends only on shuffle_rng_'s state,
        // which a checkpoint saves, so resumed training sees the same batches.
        std::vector<int64_t> order = range(0, n);
        if (o.shuffle)  // Fisher-Yates
            for (int64_t i = n - 1; i > 0; --i)
                std::swap(order[i], order[shuffle_rng_.below(static_cast<uint64_t>(i + 1))]);
        progress.begin_epoch(epoch, o.epochs, steps);

        double loss_sum = 0;  // Keras' running loss: the mean over the samples seen so far
        int64_t seen = 0, correct = 0, counted = 0;
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
            loss_sum += static_cast<double>(r.loss) * static_cast<double>(batch);
            seen += batch;
            correct += r.correct;
            counted += r.counted;
            MetricList running{{"loss", static_cast<float>(loss_sum / static_cast<double>(seen))}};
            if (accuracy) running.emplace_back("accuracy", static_cast<float>(correct) / static_cast<float>(counted));
            progress.update(s + 1, running);
            for (const auto& cb : o.callbacks)
                if (cb.on_batch_end) cb.on_batch_end(static_cast<int>(s), r.loss);
        }

        EpochLogs logs;
        logs.epoch = epoch;
        logs.loss = static_cast<float>(loss_sum / static_cast<double>(std::max<int64_t>(seen, 1)));
        if (accuracy && counted > 0) logs.accuracy = static_cast<float>(correct) / static_cast<float>(counted);
        if (val_x.defined()) {
            const Evaluation ev = evaluate_impl(val_x, val_y, o.batch_size);
            logs.val_loss = ev.loss;
            logs.val_accuracy = ev.accuracy;
        }
        history.loss.push_back(logs.loss);
        if (logs.accuracy) history.accuracy.push_back(*logs.accuracy);
        if (logs.val_loss) history.val_loss.push_back(*logs.val_loss);
        if (logs.val_accuracy) history.val_accuracy.push_back(*logs.val_accuracy);
        progress.end_epoch(logs.items());
        for (const auto& cb : o.callbacks)
            if (cb.on_epoch_end) cb.on_epoch_end(epoch, logs);
    }
    return history;
}

// ---- inference ----

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
    return evaluate_impl(x, y, batch_size);
}

Tensor Model::predict(const Tensor& x, int64_t batch_size) {
    if (!x.defined() || x.ndim() < 1 || x.dim(0) == 0)
        shape_error("model.predict", "x needs at least one sample along its first axis");
    if (batch_size <= 0) value_error("model.predict", "batch_size must be > 0, got " + std::to_string(batch_size));
    NoGrad no_grad;
    const int64_t n = x.dim(0);
    Tensor result;
    int64_t row_size = 0;
    for (int64_t start = 0; start < n; start += batch_size) {
        const int64_t end = std::min(n, start + batch_size);
        const Tensor out = forward(take_rows(x, range(start, end)), /*training=*/false);
        if (out.ndim() < 1 || out.dim(0) != end - start || (result.defined() && out.numel() != (end - start) * row_size))
            shape_error("model.predict", "the output of a batch of " + std::to_string(end - start) +
                                             " samples has shape " + shape_str(out.shape()));
        if (!result.defined()) {
            Shape shape = out.shape();
            shape[0] = n;
            result = Tensor(shape);
            row_size = out.numel() / (end - start);
        }
        std::memcpy(result.data() + start * row_size, out.data(), static_cast<size_t>(out.numel()) * sizeof(float));
    }
    return result;
}

}  // namespace tn
