// tapenet layers: Model, a Keras-like Sequential model: a stack of layers with compile/fit/evaluate/predict.
//
//   tn::Model model(/*seed=*/7);
//   model.add<tn::LSTM>(32, /*return_sequences=*/true);     // named "lstm"
//   model.add<tn::Attention>(16);                           // "attention"
//   model.add<tn::Dense>(1);                                // "dense" (a second Dense would be "dense_1")
//   model.compile("mae", std::make_unique<tn::Adam>());
//   tn::History h = model.fit(x, y, {.epochs = 20, .batch_size = 64, .validation_split = 0.1});
//   tn::Tensor y_hat = model.predict(x_test);
//
// What fit does per batch: zero the gradients, forward with training = true (dropout on), the loss,
// backward (which also clears the tape), and one optimizer step. The model seed seeds layer i with
// seed + i (its initial weights and its dropout) and the shuffling, so the same seed trains to
// bit-identical weights on the same machine.
//
// Masks: the mask of the first layer's compute_mask (e.g. Embedding(mask_zero)) is passed along the
// stack through Layer::forward(x, mask, training) and each layer's compute_mask.
//
// As Keras does, a model that ends in Dense(..., "sigmoid") compiled with binary_crossentropy trains
// on the logits: the last Dense runs without its sigmoid and the loss is
// binary_crossentropy_from_logits (no clipping, exact gradients); predict still returns probabilities.
//
// Epochs passed to callbacks count from 0 (as in Keras); messages and the progress bar count from 1.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"
#include "io/progress_bar.h"
#include "layers/layer.h"
#include "optim/loss.h"
#include "optim/optimizer.h"

namespace tn {

// The metrics of one epoch. accuracy is set for classification losses (binary_crossentropy:
// prediction > 0.5; sparse_categorical_crossentropy: argmax); the val_ entries when there is
// validation data.
struct EpochLogs {
    int epoch = 0;  // from 0
    float loss = 0;
    std::optional<float> accuracy;
    std::optional<float> val_loss;
    std::optional<float> val_accuracy;
    MetricList items() const;  // ("loss", ...), ("accuracy", ...), ("val_loss", ...), ... in that order
};

// What evaluate returns: the mean loss over all samples, and the accuracy when it applies.
struct Evaluation {
    float loss = 0;
    std::optional<float> accuracy;
};

// One value per completed epoch; a metric that does not apply stays empty.
struct History {
    std::vector<float> loss, accuracy, val_loss, val_accuracy;
    int epochs() const { return static_cast<int>(loss.size()); }
};

// Hooks into fit. Any member may be left empty. To stop training early, set model.stop_training
// (capture the model by reference); fit stops after the current batch.
struct Callback {
    std::function<void(int epoch)> on_epoch_begin = {};
    std::function<void(int epoch, const EpochLogs& logs)> on_epoch_end = {};
    std::function<void(int batch, float loss)> on_batch_end = {};  // batch counts from 0 within the epoch
};

struct ValidationData {
    Tensor x = {}, y = {};  // both undefined = none
};

struct FitOptions {
    int epochs = 1;
    int initial_epoch = 0;              // as Keras: run epochs [initial_epoch, epochs) (resuming a checkpoint)
    int64_t batch_size = 32;
    bool shuffle = true;                // reshuffle the training samples every epoch
    ValidationData validation_data = {};  // evaluated after every epoch
    double validation_split = 0;        // else: hold out this last fraction of x, y (before shuffling)
    std::vector<Callback> callbacks = {};
    int verbose = 1;                    // 0 silent, 1 progress bar (plain lines off a terminal), 2 lines
    std::ostream* out = nullptr;        // where the progress goes (std::cout when null)
};

class Model {
public:
    explicit Model(uint64_t seed = 0, std::string name = "sequential");
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;

    // ---- structure ----
    // Appends a layer and gives it a unique Keras-style name: a layer still carrying its default
    // name ("dense") becomes "dense", "dense_1", ...; a custom name that is taken throws.
    Layer& add(std::unique_ptr<Layer> layer);
    template <class T, class... Args>
    T& add(Args&&... args) {
        auto layer = std::make_unique<T>(std::forward<Args>(args)...);
        T& ref = *layer;
        add(std::move(layer));
        return ref;
    }

    // Seeds layer i with seed + i (layers already built keep their weights) and the shuffling.
    void set_seed(uint64_t seed);
    uint64_t seed() const { return seed_; }
    // The generator fit shuffles with (checkpoints save and restore its state: io/checkpoint.h).
    Rng& shuffle_rng() { return shuffle_rng_; }
    const std::string& name() const { return name_; }

    // Builds every layer for this input shape (batch first, -1 = any), as Keras' model.build.
    void build(const Shape& input_shape);
    bool built() const { return !input_shape_.empty(); }
    const Shape& input_shape() const { return input_shape_; }  // batch axis is -1
    // The Keras summary table (layers/summary.h). Needs build() (or fit) first.
    std::string summary();

    // ---- layers and parameters ----
    const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
    Layer& layer(const std::string& name);             // throws listing the names
    template <class T>
    T* find() {                                         // the first layer of type T, or nullptr
        for (auto& l : layers_)
            if (auto* t = dynamic_cast<T*>(l.get())) return t;
        return nullptr;
    }
    template <class T>
    T& layer() {                                        // the first layer of type T, or throws
        if (T* t = find<T>()) return *t;
        throw_no_layer_of_type();
    }
    // Every parameter with its full name "<layer>/<param>" ("lstm/kernel"), in layer order. The
    // tensors are handles sharing the layers' storage: writing into them changes the model.
    std::vector<Param> params() const;
    int64_t count_params() const;
    void zero_grad();

    // ---- training ----
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
    // The outputs for x (B, ...), computed in batches under NoGrad and concatenated.
    Tensor predict(const Tensor& x, int64_t batch_size = 32);
    // One forward pass through the whole stack (recorded on the tape unless under NoGrad).
    Tensor forward(const Tensor& x, bool training = false);

    // Set it (e.g. from a callback) to end fit after the current batch. fit resets it on entry.
    bool stop_training = false;

private:
    struct BatchResult {
        float loss = 0;
        int64_t correct = 0, counted = 0;  // accuracy counts (0 when no accuracy applies)
        std::string bad_gradient;          // a parameter whose gradient is not finite (step skipped)
        float bad_value = 0;
    };
    // The forward the loss is computed on: the logits when the logits form applies.
    Tensor forward_for_loss(const Tensor& x, bool training);
    bool uses_logits() const;
    Tensor compute_loss(const Tensor& output, const Tensor& y) const;
    void count_correct(const Tensor& output, const Tensor& y, BatchResult& r) const;
    // Forward, loss and (when finite) backward + step; a non-finite loss leaves the weights alone.
    BatchResult train_step(const Tensor& x, const Tensor& y);
    Evaluation evaluate_impl(const Tensor& x, const Tensor& y, int64_t batch_size);
    void check_compiled(const char* op) const;
    void check_xy(const char* op, const Tensor& x, const Tensor& y) const;
    [[noreturn]] void throw_no_layer_of_type() const;

    uint64_t seed_;
    std::string name_;
    std::vector<std::unique_ptr<Layer>> layers_;
    Shape input_shape_;
    Loss loss_;
    std::unique_ptr<Optimizer> optimizer_;
    Rng shuffle_rng_;
};

// Rows `rows` of x (along axis 0) copied into a new tensor (no gradient): how fit makes batches.
Tensor take_rows(const Tensor& x, const std::vector<int64_t>& rows);

}  // namespace tn
