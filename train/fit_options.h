// tapenet train: FitOptions, the arguments of Model::fit (Keras' fit keywords).
//
//   model.fit(x, y, {.epochs = 20, .batch_size = 64, .validation_split = 0.1, .verbose = 2});
#pragma once

#include <cstdint>
#include <iosfwd>
#include <vector>

#include "core/tensor.h"
#include "train/callback.h"

namespace tn {

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

}  // namespace tn
