// tapenet train: Callback, the hooks Model::fit calls, and the logs it passes them.
//
//   tn::Callback report;
//   report.on_epoch_end = [&](int epoch, const tn::EpochLogs& logs) { std::cout << *logs.val_loss << "\n"; };
//   model.fit(x, y, {.epochs = 20, .callbacks = {report}});
//
// Epochs passed to callbacks count from 0 (as in Keras), and batches from 0 within their epoch.
// The progress bar (train/progress_bar.h) is a callback too; fit runs it before the caller's.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tn {

// ("loss", 0.0812), ("val_loss", 0.0750), ... in display order.
using MetricList = std::vector<std::pair<std::string, float>>;

// The metrics of one epoch. accuracy is set for classification losses (binary_crossentropy:
// prediction > 0.5; sparse_categorical_crossentropy: argmax); the val_ entries when there is
// validation data.
struct EpochLogs {
    int epoch = 0;  // from 0
    float loss = 0;
    std::optional<float> accuracy;
    std::optional<float> val_loss;
    std::optional<float> val_accuracy;
    // A model of several outputs: ("<output>_loss", ...) and ("<output>_accuracy", ...) per output,
    // and the same for the validation data ("val_<output>_loss", ...), as Keras names them.
    MetricList outputs, val_outputs;
    // ("loss", ...), outputs..., ("accuracy", ...), ("val_loss", ...), val_outputs..., ("val_accuracy", ...)
    MetricList items() const;
};

// What fit is about to run: epochs [initial_epoch, epochs) of `steps` batches each.
struct TrainBegin {
    int initial_epoch = 0;
    int epochs = 0;
    int64_t steps = 0;
};

// Hooks into fit. Any member may be left empty. To stop training early, set model.stop_training
// (capture the model by reference); fit stops after the current batch.
struct Callback {
    std::function<void(const TrainBegin& train)> on_train_begin = {};
    std::function<void(int epoch)> on_epoch_begin = {};
    std::function<void(int epoch, const EpochLogs& logs)> on_epoch_end = {};
    std::function<void(int batch, float loss)> on_batch_end = {};  // the loss of this batch
    // After on_batch_end: the running means over the epoch's batches so far (loss, and accuracy
    // when it applies), as the progress bar shows them.
    std::function<void(int batch, const MetricList& running)> on_batch_metrics = {};
};

}  // namespace tn
