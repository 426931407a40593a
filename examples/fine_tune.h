// Examples: the last epochs at a tenth of the learning rate (--fine-tune N).
//
// With a constant rate, Adam and RMSprop keep taking steps of about that size once the loss is low
// (the MAE's gradient does not shrink), so the validation figures jitter from epoch to epoch; a few
// final epochs at a tenth of the rate settle them. keras-attention keeps the rate constant: N = 0.
#pragma once

#include "train/model.h"

namespace tn::examples {

// A callback that, from epoch `epochs - fine_tune_epochs` on, sets the learning rate to a tenth of
// the one the optimizer has now.
inline Callback fine_tune_callback(Model& model, int epochs, int fine_tune_epochs) {
    Callback fine_tune;
    const double learning_rate = model.optimizer().learning_rate();
    fine_tune.on_epoch_begin = [&model, epochs, fine_tune_epochs, learning_rate](int epoch) {
        if (epoch >= epochs - fine_tune_epochs) model.optimizer().set_learning_rate(0.1 * learning_rate);
    };
    return fine_tune;
}

}  // namespace tn::examples
