// tapenet train: Model, a Network (layers/network.h) that trains: compile, fit, evaluate,
// train_on_batch, as Keras' Model.
//
//   tn::Model model(/*seed=*/7);
//   model.add<tn::LSTM>(32, /*return_sequences=*/true);
//   model.add<tn::Attention>(16);
//   model.add<tn::Dense>(1);
//   model.compile("mae", std::make_unique<tn::Adam>());
//   tn::History h = model.fit(x, y, {.epochs = 20, .batch_size = 64, .validation_split = 0.1});
//   tn::Tensor y_hat = model.predict(x_test);
//
// What fit does per batch: zero the gradients, forward with training = true (dropout on), the loss,
// backward (which also clears the tape), and one optimizer step. The model seed seeds the layers
// (as Network does) and the shuffling, so the same seed trains to bit-identical weights on the
// same machine.
//
// As Keras does, a model that ends in Dense(..., "sigmoid") compiled with binary_crossentropy trains
// on the logits: the last Dense runs without its sigmoid and the loss is
// binary_crossentropy_from_logits (no clipping, exact gradients); predict still returns probabilities.
//
// Several inputs and outputs, as Keras: fit, evaluate and train_on_batch take one tensor per input
// and per output, in the order of the model's inputs and outputs (a single tensor is the list of
// one). compile takes one loss for every output, a list of them, or a map by output name
// (output_names(): the names of the layers that make the outputs, "_1", "_2" added to repeats),
// with optional loss_weights. The loss fit minimizes is sum_k weight_k * loss_k; History and the
// progress bar show it as "loss", and each output's own (unweighted) loss as "<output>_loss":
//
//   tn::Model model({enc_in, dec_in}, {y, alpha}, "seq2seq");
//   model.compile(std::vector<std::string>{"sparse_categorical_crossentropy", "mse"},
//                 std::make_unique<tn::Adam>(), /*loss_weights=*/{1.0f, 0.5f});
//   tn::History h = model.fit({x_enc, x_dec}, {y_true, alpha_true}, {.epochs = 5});
//   h.at("dense_loss"), h.at("val_activation_loss"), ...
//
// Launched by mpirun, fit and evaluate run data-parallel over the processes (train/distributed.h,
// docs/distributed.md): batch_size is the global batch, split across the ranks, so the same fit
// call takes the same steps on 1 or N processes. Only rank 0 shows progress; callbacks run on every
// rank; an exception on any rank ends the whole job with its message (MPI_Abort).
//
// fit shows its progress through a callback (train/progress_bar.h) that it adds when
// FitOptions::verbose asks for it. Epochs passed to callbacks count from 0 (as in Keras); messages
// and the progress bar count from 1.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"
#include "layers/network.h"
#include "optim/loss.h"
#include "optim/optimizer.h"
#include "train/callback.h"
#include "train/fit_options.h"
#include "train/history.h"

namespace tn {

// What evaluate returns: the mean loss over all samples (the weighted sum over the outputs), the
// accuracy when it applies to a model of one output, and for several outputs each output's loss
// and accuracy by Keras' names ("<output>_loss", "<output>_accuracy").
struct Evaluation {
    float loss = 0;
    std::optional<float> accuracy;
    MetricList outputs;
};

class Model : public Network {
public:
    explicit Model(uint64_t seed = 0, std::string name = "sequential");
    // A functional model (layers/graph.h), as Keras' Model(inputs, outputs, name):
    //   auto x = tn::Input({20, 1});
    //   auto y = tn::layer<tn::Dense>(1)(tn::layer<tn::LSTM>(8)(x));
    //   tn::Model model(x, y, "model");
    Model(const KerasTensors& inputs, const KerasTensors& outputs, std::string name = "model", uint64_t seed = 0);

    // Seeds layer i with seed + i (layers already built keep their weights) and the shuffling.
    void set_seed(uint64_t seed) override;
    // The generator fit shuffles with (checkpoints save and restore its state: train/checkpoint.h).
    Rng& shuffle_rng() { return shuffle_rng_; }

    // One loss for every output.
    void compile(const std::string& loss, std::unique_ptr<Optimizer> optimizer);
    void compile(Loss loss, std::unique_ptr<Optimizer> optimizer);
    // One loss per output, in the order of the outputs (or one for all), each weighted by
    // loss_weights (empty: 1 each). Checked against the outputs when fit or evaluate runs.
    void compile(std::vector<Loss> losses, std::unique_ptr<Optimizer> optimizer, std::vector<float> loss_weights = {});
    void compile(const std::vector<std::string>& losses, std::unique_ptr<Optimizer> optimizer,
                 std::vector<float> loss_weights = {});
    // A loss for each output by its name (output_names()); an output missing from loss_weights
    // weighs 1.
    void compile(const std::map<std::string, std::string>& losses, std::unique_ptr<Optimizer> optimizer,
                 std::map<std::string, float> loss_weights = {});
    bool compiled() const { return optimizer_ != nullptr; }
    Optimizer& optimizer();
    // The loss of the first output (the model's loss when all outputs share one; compiled with a
    // map, the first by output name).
    const Loss& loss() const;
    // Every output's loss name and weight, in the order of the outputs (what checkpoints record).
    // Throws, naming the outputs, when the compiled losses do not match them.
    struct CompiledLoss {
        std::string output, loss;
        float weight = 1;
    };
    std::vector<CompiledLoss> compiled_losses() const;

    // Keras' output names: the names of the layers that make the outputs, in order, a repeated
    // name (a layer with several outputs) made unique with "_1", "_2", ...
    std::vector<std::string> output_names() const;

    // x: one tensor per input, y: one per output, each with the samples along its first axis. As
    // in Keras, either side may be a single tensor: fit({a, b}, y), fit(x, {y1, y2}).
    History fit(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const FitOptions& options = {});
    History fit(const Tensor& x, const Tensor& y, const FitOptions& options = {});
    History fit(const std::vector<Tensor>& x, const Tensor& y, const FitOptions& options = {}) {
        return fit(x, std::vector<Tensor>{y}, options);
    }
    History fit(const Tensor& x, const std::vector<Tensor>& y, const FitOptions& options = {}) {
        return fit(std::vector<Tensor>{x}, y, options);
    }
    // One step on one batch (what fit does per batch); returns the loss before the update. The
    // gradients of that step stay in the parameters until the next zero_grad.
    float train_on_batch(const std::vector<Tensor>& x, const std::vector<Tensor>& y);
    float train_on_batch(const Tensor& x, const Tensor& y);
    Evaluation evaluate(const std::vector<Tensor>& x, const std::vector<Tensor>& y, int64_t batch_size = 32);
    Evaluation evaluate(const Tensor& x, const Tensor& y, int64_t batch_size = 32);
    Evaluation evaluate(const std::vector<Tensor>& x, const Tensor& y, int64_t batch_size = 32) {
        return evaluate(x, std::vector<Tensor>{y}, batch_size);
    }
    Evaluation evaluate(const Tensor& x, const std::vector<Tensor>& y, int64_t batch_size = 32) {
        return evaluate(std::vector<Tensor>{x}, y, batch_size);
    }

    // Set it (e.g. from a callback) to end fit after the current batch. fit resets it on entry.
    bool stop_training = false;

private:
    // One output's loss as fit uses it: its name, function, weight and whether it takes logits.
    struct OutputLoss {
        std::string output;
        Loss loss;
        float weight = 1;
        bool logits = false;
    };
    struct BatchResult {
        float loss = 0;                        // the weighted total
        std::vector<float> output_losses;      // each output's own
        std::vector<int64_t> correct, counted; // accuracy counts per output (0 when none applies)
        std::string bad_gradient;              // a parameter whose gradient is not finite (step skipped)
        float bad_value = 0;
        bool stop = false;                     // a rank asked to stop (distributed; step skipped)
    };
    // The sums of one epoch: Keras' running loss is the mean over the samples seen so far.
    struct EpochSums {
        double loss = 0;
        std::vector<double> output_losses;
        int64_t seen = 0;
        std::vector<int64_t> correct, counted;
        void add(const BatchResult& r, int64_t batch);
        // "loss" and, for several outputs, "<output>_loss" and "<output>_accuracy" (prefixed).
        MetricList metrics(const std::vector<OutputLoss>& losses, const std::string& prefix) const;
    };
    // The compiled losses matched to the outputs (names, weights, logits); throws naming the
    // outputs when they do not match.
    std::vector<OutputLoss> output_losses() const;
    // The outputs the losses are computed on (logits where the logits form applies).
    std::vector<Tensor> forward_for_loss(const std::vector<Tensor>& x, const std::vector<OutputLoss>& losses,
                                         bool training);
    // The weighted total and each output's loss; counts correct predictions into r.
    Tensor compute_loss(const std::vector<Tensor>& outputs, const std::vector<Tensor>& y,
                        const std::vector<OutputLoss>& losses, BatchResult& r) const;
    // Forward, loss and, when the loss is finite, backward into the parameters' gradients; returns
    // whether it was finite. The tape is clear after, also when it throws. With check_targets_for,
    // y is first checked against the outputs (optim/loss.h's check_targets), the error naming that op.
    bool compute_gradients(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                           const std::vector<OutputLoss>& losses, BatchResult& r, const char* check_targets_for = nullptr);
    // The optimizer's step on the gradients, unless one is not finite: then r names it and the
    // weights stay as they are.
    void step_if_finite(const std::vector<Param>& ps, BatchResult& r);
    // Forward, loss and (when finite) backward + step; a non-finite loss leaves the weights alone.
    BatchResult train_step(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                           const std::vector<OutputLoss>& losses, const char* check_targets_for = nullptr);
    // train_step for a job of several processes (train/model_distributed.cpp): x and y hold this
    // rank's `local` rows of a global batch of `global` rows. Every rank's n_r * gradient, the
    // losses and counts go through ONE allreduce_sum; all ranks then take the identical step with
    // the global mean gradient. A stop_training set on any rank stops all (r.stop; no step).
    BatchResult train_step_distributed(const std::vector<Tensor>& x, const std::vector<Tensor>& y, int64_t local,
                                       int64_t global, const std::vector<OutputLoss>& losses);
    // Makes every rank start fit from rank 0's state: weights, optimizer state, shuffling; gives
    // each rank > 0 its own dropout stream.
    void synchronize_replicas();
    // true on every rank when stop_training is set on any (one allreduce).
    bool any_rank_stops() const;
    // Adds the other ranks' sums into `sums` (one allreduce).
    void reduce_over_ranks(EpochSums& sums, size_t outputs) const;
    History fit_here(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const FitOptions& options);
    Evaluation evaluate_here(const std::vector<Tensor>& x, const std::vector<Tensor>& y, int64_t batch_size);
    // One epoch of fit: shuffles, trains on each batch and calls the batch hooks.
    EpochSums fit_epoch(int epoch, const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                        const std::vector<OutputLoss>& losses, const FitOptions& o,
                        const std::vector<const Callback*>& callbacks);
    EpochSums evaluate_sums(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                            const std::vector<OutputLoss>& losses, int64_t batch_size);
    void check_fit_options(const FitOptions& o) const;
    void check_compiled(const char* op) const;
    // Counts and sample axes: one x per input, one y per output, all with the same samples (> 0).
    void check_xy(const std::string& where, const std::vector<Tensor>& x, const std::vector<Tensor>& y) const;
    // The shapes of the outputs for x: one forward of x's first sample (under NoGrad), batch axis x's.
    std::vector<Shape> output_shapes_for(const std::vector<Tensor>& x);
    // Checks the data before fit or evaluate use it: finite x, and each y against its loss and the
    // output for x (optim/loss.h's check_targets). Throws naming `where` and the input or output.
    void check_data(const std::string& where, const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                    const std::vector<OutputLoss>& losses);
    // "x", or "x[1] ('dec_in')" for a model of several inputs.
    std::string input_label(size_t i) const;
    // `where`, or "where (output 'dense_1')" for a model of several outputs.
    std::string output_where(const std::string& where, size_t k) const;

    std::vector<Loss> losses_;                  // by position (one: for every output)
    std::vector<float> loss_weights_;
    std::map<std::string, Loss> losses_by_name_;  // or by output name
    std::map<std::string, float> weights_by_name_;
    std::unique_ptr<Optimizer> optimizer_;
    Rng shuffle_rng_;
    std::vector<float> step_buffer_;  // train_step_distributed's allreduce buffer, kept between steps
};

}  // namespace tn
