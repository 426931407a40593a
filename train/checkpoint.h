// tapenet train: training checkpoints: the model, its optimizer's state and the epoch, so that
// training resumed from a checkpoint continues exactly as if it had never stopped.
//
//   model.fit(x, y, {.epochs = 10, .callbacks = {{.on_epoch_end = [&](int epoch, const tn::EpochLogs&) {
//       tn::save_checkpoint(model, epoch + 1, "ckpt/model.json");       // after each epoch
//   }}}});
//   ...later, in a new process:
//   tn::Checkpoint ckpt = tn::load_checkpoint("ckpt/model.json");     // rebuilt and compiled
//   ckpt.model->fit(x, y, {.epochs = 10, .initial_epoch = ckpt.epoch});  // the remaining epochs
//
// The file layout is io/checkpoint_files.h's.
//
// "Exactly" means bit-identical weights after N epochs straight and after N/2, checkpoint, load,
// N/2 more (tests/test_model_format.cpp), on the same machine and build.
#pragma once

#include <memory>
#include <string>

#include "train/model.h"

namespace tn {

// Saves the compiled model's weights, optimizer state and random state, and `epoch`: the number
// of epochs completed (the initial_epoch to resume with). Atomic, as save_model.
// Under mpirun only rank 0 writes (every rank holds the same weights and optimizer state after a
// step of fit; docs/distributed.md); the other ranks return at once.
void save_checkpoint(Model& model, int epoch, const std::string& path);

struct Checkpoint {
    std::unique_ptr<Model> model;  // built and compiled, optimizer and random state restored
    int epoch = 0;                 // epochs completed when it was saved
};

// Rebuilds everything from the checkpoint with no user code. Throws a tn::FormatError naming the
// file when it is no tapenet checkpoint, or its loss or optimizer is unknown (for a custom loss,
// build and compile the model yourself and use restore_checkpoint).
Checkpoint load_checkpoint(const std::string& path);

// Restores a checkpoint into `model`, which must be compiled with the same optimizer class and
// have the layer names and weight shapes of the saved one. Returns the epoch. Nothing is changed
// if the checkpoint does not fit the model (the error says why).
int restore_checkpoint(Model& model, const std::string& path);

}  // namespace tn
