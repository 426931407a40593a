// tapenet train: FitOptions, the arguments of Model::fit (Keras' fit keywords).
//
//   model.fit(x, y, {.epochs = 20, .batch_size = 64, .validation_split = 0.1, .verbose = 2});
#pragma once

#include <cstdint>
#include <iosfwd>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "train/callback.h"

namespace tn {

// Validation data in the same forms as fit's data: one tensor each ({vx, vy}), or one tensor per
// model input and per output ({{vx_a, vx_b}, {vy_1, vy_2}}). Empty = none.
struct ValidationData {
    std::vector<Tensor> x = {}, y = {};
    ValidationData() = default;
    ValidationData(const Tensor& x_, const Tensor& y_) {
        if (x_.defined()) x = {x_};
        if (y_.defined()) y = {y_};
    }
    ValidationData(std::vector<Tensor> x_, std::vector<Tensor> y_) : x(std::move(x_)), y(std::move(y_)) {}
    bool empty() const { return x.empty() && y.empty(); }
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

}  // namespace tn
