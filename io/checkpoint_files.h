// tapenet io: the files of a training checkpoint (train/checkpoint.h builds save_checkpoint,
// load_checkpoint and restore_checkpoint on these).
//
// A checkpoint is a model file (io/model_format.h; TF.js loads it as a plain model) whose manifest
// also lists the optimizer state with "group": "optimizer", after the model weights, as TF.js'
// includeOptimizer writes it: "iter" (int32, the step count), then for each of the optimizer's
// slots (Adam: m, then v) one "<weight>/<slot>" per model weight, in weight order. The tapenet
// block adds what TF.js has no place for: the epoch, the optimizer's full config, the loss (a name
// when every output has the same one with weight 1, else a list and "loss_weights"), the
// model seed and the random generators' states (shuffling, dropout). `trainingConfig` is written
// too when TF.js knows the loss and optimizer (Adam, or SGD without momentum), so that TF.js
// restores the optimizer as well.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "io/model_files.h"
#include "layers/network.h"
#include "optim/optimizer.h"

namespace tn {

// What a checkpoint holds besides the network: the training loop's state.
struct TrainingState {
    Optimizer& optimizer;  // its class, config, step count and slots
    std::vector<std::string> losses;  // each output's loss name ("mse", ...), in output order
    std::vector<float> loss_weights;  // each output's weight in the total loss (same order)
    uint64_t seed = 0;     // the model seed
    Rng& shuffle_rng;      // the generator the training loop shuffles with
};

// Writes the network, the optimizer's state, the random generators' states and `epoch` (the
// number of epochs completed). Atomic, as save_model.
void write_checkpoint_files(const Network& network, const TrainingState& state, int epoch, const std::string& path);

// Throws a FormatError unless the files are a checkpoint (an epoch or optimizer entries).
void require_checkpoint(const ModelFiles& files);

// What the checkpoint names to train with: from the tapenet block, else from TF.js' trainingConfig
// (camelCase keys such as learningRate are accepted). The loss is one name for every output, a list
// (one per output) or, as TF.js may write it, an object by output name; loss_weights likewise.
struct CheckpointRecipe {
    std::vector<std::string> losses;                       // one for all outputs, or one per output
    std::vector<float> loss_weights;                       // empty: 1 each
    std::map<std::string, std::string> losses_by_output;   // or by output name
    std::map<std::string, float> loss_weights_by_output;
    std::unique_ptr<Optimizer> optimizer;
    uint64_t seed = 0;
};
CheckpointRecipe checkpoint_recipe(const ModelFiles& files);

// Restores the optimizer's state and the random generators (the network's weights are
// assign_weights'). Checks everything before changing anything; returns the epoch.
int apply_checkpoint(Network& network, TrainingState& state, const ModelFiles& files);

}  // namespace tn
