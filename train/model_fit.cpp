// Model::fit and the checks of fit's and evaluate's data (train/model.h).
#include <algorithm>
#include <cmath>
#include <iostream>
#include <stdexcept>
#include <utility>

#include "core/error.h"
#include "core/tape.h"
#include "train/distributed.h"
#include "train/model.h"
#include "train/model_detail.h"
#include "train/progress_bar.h"

namespace tn {

namespace {

using model_detail::non_finite_name;
using model_detail::range;
using model_detail::take_rows_of;

// Throws naming `where`, `name` and the sample of the first NaN or infinity in t.
void check_finite(const std::string& where, const std::string& name, const Tensor& t) {
    const float* p = t.data();
    const float* bad = std::find_if(p, p + t.numel(), [](float v) { return !std::isfinite(v); });
    if (bad == p + t.numel()) return;
    const int64_t per_sample = t.numel() / t.dim(0);
    value_error(where, name + " holds " + non_finite_name(*bad) + " at sample " + std::to_string((bad - p) / per_sample) +
                           "; tapenet trains only on finite values");
}

}  // namespace

// ---- checks ----

std::string Model::input_label(size_t i) const {
    if (!built() || input_nodes().size() <= 1) return "x";
    return "x[" + std::to_string(i) + "] ('" + input_layer(i).name() + "')";
}

std::string Model::output_where(const std::string& where, size_t k) const {
    if (!built() || outputs().size() <= 1) return where;
    return where + " (output '" + output_names().at(k) + "')";
}

void Model::check_xy(const std::string& where, const std::vector<Tensor>& x, const std::vector<Tensor>& y) const {
    const size_t inputs = built() ? input_nodes().size() : 1, outs = built() ? outputs().size() : 1;
    if (x.size() != inputs || y.size() != outs) {
        std::string names;
        for (const std::string& n : output_names()) names += (names.empty() ? "" : ", ") + n;
        shape_error(where, "the model takes " + std::to_string(inputs) + " input(s) and gives " + std::to_string(outs) +
                               " output(s) (" + names + "); got " + std::to_string(x.size()) + " x and " +
                               std::to_string(y.size()) + " y tensors");
    }
    for (const Tensor& t : x)
        if (!t.defined()) value_error(where, "x or y is undefined");
    for (const Tensor& t : y)
        if (!t.defined()) value_error(where, "x or y is undefined");
    for (size_t i = 0; i < x.size(); ++i)
        for (size_t k = 0; k < y.size(); ++k) {
            const Tensor &a = x[i], &b = y[k];
            const std::string xl = input_label(i), yl = outs > 1 ? "y[" + std::to_string(k) + "] ('" + output_names()[k] + "')" : "y";
            if (a.ndim() < 1 || b.ndim() < 1)
                shape_error(where, xl + " and " + yl + " need a first (sample) axis, got " + shape_str(a.shape()) + " and " +
                                       shape_str(b.shape()));
            if (a.dim(0) != b.dim(0))
                shape_error(where, xl + " has " + std::to_string(a.dim(0)) + " samples " + shape_str(a.shape()) + " but " +
                                       yl + " has " + std::to_string(b.dim(0)) + " " + shape_str(b.shape()));
            if (a.dim(0) == 0) value_error(where, xl + " has no samples");
        }
}

std::vector<Shape> Model::output_shapes_for(const std::vector<Tensor>& x) {
    NoGrad no_grad;
    std::vector<Shape> shapes;
    for (const Tensor& out : forward(take_rows_of(x, {0}), /*training=*/false)) {
        shapes.push_back(out.shape());
        shapes.back()[0] = x[0].dim(0);
    }
    return shapes;
}

void Model::check_data(const std::string& where, const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                       const std::vector<OutputLoss>& losses) {
    for (size_t i = 0; i < x.size(); ++i) check_finite(where, input_label(i), x[i]);
    const std::vector<Shape> shapes = output_shapes_for(x);
    for (size_t k = 0; k < y.size(); ++k) check_targets(output_where(where, k), losses[k].loss.name, shapes[k], y[k]);
}

void Model::check_fit_options(const FitOptions& o) const {
    if (o.epochs < 0) value_error("model.fit", "epochs must be >= 0, got " + std::to_string(o.epochs));
    if (o.initial_epoch < 0 || o.initial_epoch > o.epochs)
        value_error("model.fit", "initial_epoch must be in [0, epochs = " + std::to_string(o.epochs) + "], got " +
                                     std::to_string(o.initial_epoch));
    if (o.batch_size <= 0) value_error("model.fit", "batch_size must be > 0, got " + std::to_string(o.batch_size));
    if (!(o.validation_split >= 0 && o.validation_split < 1))
        value_error("model.fit", "validation_split must be in [0, 1), got " + std::to_string(o.validation_split));
    if (o.verbose < 0 || o.verbose > 2)
        value_error("model.fit", "verbose must be 0, 1 or 2, got " + std::to_string(o.verbose));
}

// ---- fit ----

History Model::fit(const Tensor& x, const Tensor& y, const FitOptions& o) {
    return fit(std::vector{x}, std::vector{y}, o);
}

History Model::fit(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const FitOptions& o) {
    if (distributed::world_size() == 1) return fit_here(x, y, o);
    // One rank's exception would leave the others waiting in the next allreduce: end the job.
    try {
        return fit_here(x, y, o);
    } catch (const std::exception& e) {
        distributed::abort(std::string("model.fit: ") + e.what());
    }
}

History Model::fit_here(const std::vector<Tensor>& x_in, const std::vector<Tensor>& y_in, const FitOptions& o) {
    check_compiled("fit");
    if (!built() && x_in.size() == 1 && x_in[0].defined() && x_in[0].ndim() >= 1) build(x_in[0].shape());
    check_xy("model.fit", x_in, y_in);
    check_fit_options(o);

    // Training and validation sets. validation_split holds out the last fraction, as Keras does.
    std::vector<Tensor> x = x_in, y = y_in, val_x = o.validation_data.x, val_y = o.validation_data.y;
    if (val_x.empty() != val_y.empty()) value_error("model.fit", "validation_data needs both x and y");
    if (!val_x.empty()) {
        check_xy("model.fit (validation_data)", val_x, val_y);
    } else if (o.validation_split > 0) {
        const int64_t n = x[0].dim(0);
        const auto split_at = static_cast<int64_t>(std::floor(static_cast<double>(n) * (1.0 - o.validation_split)));
        if (split_at <= 0 || split_at >= n)
            value_error("model.fit", "validation_split " + std::to_string(o.validation_split) + " of " +
                                         std::to_string(n) + " samples leaves no training or no validation sample");
        val_x = take_rows_of(x, range(split_at, n));
        val_y = take_rows_of(y, range(split_at, n));
        x = take_rows_of(x, range(0, split_at));
        y = take_rows_of(y, range(0, split_at));
    }
    const std::vector<OutputLoss> losses = output_losses();
    // The data, before any callback runs or any weight changes.
    check_data("model.fit", x_in, y_in, losses);
    if (!o.validation_data.empty()) check_data("model.fit (validation_data)", val_x, val_y, losses);

    if (distributed::world_size() > 1) synchronize_replicas();  // rank 0's weights, optimizer and shuffling
    // The progress bar first, so that its epoch line precedes what the caller's callbacks print.
    Callback progress;  // rank 0 alone shows it
    if (o.verbose > 0 && distributed::is_root()) progress = progress_bar_callback(o.out ? *o.out : std::cout, o.verbose);
    std::vector<const Callback*> callbacks{&progress};
    for (const Callback& cb : o.callbacks) callbacks.push_back(&cb);

    const TrainBegin train{o.initial_epoch, o.epochs, (x[0].dim(0) + o.batch_size - 1) / o.batch_size};
    for (const Callback* cb : callbacks)
        if (cb->on_train_begin) cb->on_train_begin(train);
    History history;
    stop_training = false;
    for (int epoch = o.initial_epoch; epoch < o.epochs && !stop_training; ++epoch) {
        for (const Callback* cb : callbacks)
            if (cb->on_epoch_begin) cb->on_epoch_begin(epoch);
        const MetricList train_metrics = fit_epoch(epoch, x, y, losses, o, callbacks).metrics(losses, "");
        MetricList val_metrics;
        if (!val_x.empty()) val_metrics = evaluate_sums(val_x, val_y, losses, o.batch_size).metrics(losses, "val_");

        EpochLogs logs;
        logs.epoch = epoch;
        logs.loss = train_metrics[0].second;
        for (size_t i = 1; i < train_metrics.size(); ++i) {
            if (train_metrics[i].first == "accuracy") logs.accuracy = train_metrics[i].second;
            else logs.outputs.push_back(train_metrics[i]);
        }
        for (size_t i = 0; i < val_metrics.size(); ++i) {
            if (i == 0) logs.val_loss = val_metrics[0].second;
            else if (val_metrics[i].first == "val_accuracy") logs.val_accuracy = val_metrics[i].second;
            else logs.val_outputs.push_back(val_metrics[i]);
        }
        history.loss.push_back(logs.loss);
        if (logs.accuracy) history.accuracy.push_back(*logs.accuracy);
        if (logs.val_loss) history.val_loss.push_back(*logs.val_loss);
        if (logs.val_accuracy) history.val_accuracy.push_back(*logs.val_accuracy);
        for (const auto& [name, value] : logs.items()) history.history[name].push_back(value);
        for (const Callback* cb : callbacks)
            if (cb->on_epoch_end) cb->on_epoch_end(epoch, logs);
        if (distributed::world_size() > 1) stop_training = any_rank_stops();  // all ranks stop together
    }
    return history;
}

Model::EpochSums Model::fit_epoch(int epoch, const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                                  const std::vector<OutputLoss>& losses, const FitOptions& o,
                                  const std::vector<const Callback*>& callbacks) {
    const int64_t n = x[0].dim(0);
    const int64_t steps = (n + o.batch_size - 1) / o.batch_size;
    // A fresh permutation each epoch: the order then depends only on shuffle_rng_'s state,
    // which a checkpoint saves, so resumed training sees the same batches.
    std::vector<int64_t> order = range(0, n);
    if (o.shuffle)  // Fisher-Yates
        for (int64_t i = n - 1; i > 0; --i) std::swap(order[i], order[shuffle_rng_.below(static_cast<uint64_t>(i + 1))]);

    const int64_t world = distributed::world_size(), rank = distributed::rank();
    EpochSums sums;
    // Distributed, a stop asked on any rank is agreed on in the next step (r.stop), so every rank
    // runs the same number of steps.
    for (int64_t s = 0; s < steps && (world > 1 || !stop_training); ++s) {
        const std::vector<int64_t> rows(order.begin() + s * o.batch_size, order.begin() + std::min(n, (s + 1) * o.batch_size));
        BatchResult r;
        if (world == 1) {
            r = train_step(take_rows_of(x, rows), take_rows_of(y, rows), losses);
        } else {  // this rank's contiguous share of the global batch: [size * r / W, size * (r + 1) / W)
            const auto size = static_cast<int64_t>(rows.size());
            const std::vector<int64_t> mine(rows.begin() + size * rank / world, rows.begin() + size * (rank + 1) / world);
            r = train_step_distributed(take_rows_of(x, mine), take_rows_of(y, mine), static_cast<int64_t>(mine.size()),
                                       size, losses);
            if (r.stop) {
                stop_training = true;
                break;
            }
        }
        const std::string where = " at epoch " + std::to_string(epoch + 1) + ", batch " + std::to_string(s + 1) +
                                  "; weights are those after the last good step";
        if (!std::isfinite(r.loss)) throw std::runtime_error("fit: loss became " + non_finite_name(r.loss) + where);
        if (!r.bad_gradient.empty())
            throw std::runtime_error("fit: gradient of '" + r.bad_gradient + "' became " + non_finite_name(r.bad_value) + where);
        sums.add(r, static_cast<int64_t>(rows.size()));
        const MetricList running = sums.metrics(losses, "");
        for (const Callback* cb : callbacks) {
            if (cb->on_batch_end) cb->on_batch_end(static_cast<int>(s), r.loss);
            if (cb->on_batch_metrics) cb->on_batch_metrics(static_cast<int>(s), running);
        }
    }
    return sums;
}

}  // namespace tn
