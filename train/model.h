// tapenet train: Model, a Network (layers/network.h) that trains: compile, fit, evaluate,
// train_on_batch, as Keras' Sequential model.
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
// fit shows its progress through a callback (train/progress_bar.h) that it adds when
// FitOptions::verbose asks for it. Epochs passed to callbacks count from 0 (as in Keras); messages
// and the progress bar count from 1.
#pragma once

#include <cstdint>
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

// What evaluate returns: the mean loss over all samples, and the accuracy when it applies.
struct Evaluation {
    float loss = 0;
    std::optional<float> accuracy;
};

class Model : public Network {
public:
    explicit Model(uint64_t seed = 0, std::string name = "sequential");
    // A functional model (layers/graph.h), as Keras' Model(inputs, outputs, name):
    //   auto x = tn::Input({20, 1});
    //   auto y = tn::layer<tn::Dense>(1)(tn::layer<tn::LSTM>(8)(x));
    //   tn::Model model(x, y, "model");
    // fit, evaluate and train_on_batch take models of one input and one output; predict any.
    Model(const KerasTensors& inputs, const KerasTensors& outputs, std::string name = "model", uint64_t seed = 0);

    // Seeds layer i with seed + i (layers already built keep their weights) and the shuffling.
    void set_seed(uint64_t seed) override;
    // The generator fit shuffles with (checkpoints save and restore its state: train/checkpoint.h).
    Rng& shuffle_rng() { return shuffle_rng_; }

    void compile(const std::string& loss, std::unique_ptr<Optimizer> optimizer);
    void compile(Loss loss, std::unique_ptr<Optimizer> optimizer);
    bool compiled() const { return optimizer_ != nullptr; }
    Optimizer& optimizer();
    const Loss& loss() const { return loss_; }

    History fit(const Tensor& x, const Tensor& y, const FitOptions& options = {});
    // One step on one batch (what fit does per batch); returns the loss before the update. The
    // gradients of that step stay in the parameters until the next zero_grad.
    float train_on_batch(const Tensor& x, const Tensor& y);
    Evaluation evaluate(const Tensor& x, const Tensor& y, int64_t batch_size = 32);

    // Set it (e.g. from a callback) to end fit after the current batch. fit resets it on entry.
    bool stop_training = false;

private:
    struct BatchResult {
        float loss = 0;
        int64_t correct = 0, counted = 0;  // accuracy counts (0 when no accuracy applies)
        std::string bad_gradient;          // a parameter whose gradient is not finite (step skipped)
        float bad_value = 0;
    };
    // The sums of one epoch: Keras' running loss is the mean over the samples seen so far.
    struct EpochSums {
        double loss = 0;
        int64_t seen = 0, correct = 0, counted = 0;
    };
    // The forward the loss is computed on: the logits when the logits form applies.
    Tensor forward_for_loss(const Tensor& x, bool training);
    bool uses_logits() const;
    Tensor compute_loss(const Tensor& output, const Tensor& y) const;
    void count_correct(const Tensor& output, const Tensor& y, BatchResult& r) const;
    // Forward, loss and (when finite) backward + step; a non-finite loss leaves the weights alone.
    // With check_targets_for, y is first checked against the output (optim/loss.h's check_targets),
    // the error naming that op.
    BatchResult train_step(const Tensor& x, const Tensor& y, const char* check_targets_for = nullptr);
    // One epoch of fit: shuffles, trains on each batch and calls the batch hooks.
    EpochSums fit_epoch(int epoch, const Tensor& x, const Tensor& y, const FitOptions& o,
                        const std::vector<const Callback*>& callbacks);
    Evaluation evaluate_impl(const Tensor& x, const Tensor& y, int64_t batch_size);
    void check_compiled(const char* op) const;
    void check_xy(const char* op, const Tensor& x, const Tensor& y) const;
    // The shape of the output for x: one forward of x's first sample (under NoGrad), batch axis x's.
    Shape output_shape_for(const Tensor& x);
    // Checks the data before fit or evaluate use it: finite x, and y against the loss and the output
    // for x (optim/loss.h's check_targets). Throws naming `where`.
    void check_data(const std::string& where, const Tensor& x, const Tensor& y);

    Loss loss_;
    std::unique_ptr<Optimizer> optimizer_;
    Rng shuffle_rng_;
};

}  // namespace tn
