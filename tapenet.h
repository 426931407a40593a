// tapenet: one header for the whole public API. See README.md and docs/architecture.md.
//
//   #include "tapenet.h"
//   auto model = tn::load_model("model.json");
//   tn::Tensor y = model->predict(x);
//
// A plain list of includes, by folder (core < layers, optim < io < train). Internal headers (the fused
// kernels, GEMM, buffers, JSON plumbing, file primitives) are left out: the headers below include
// what they need of them.
#pragma once

// core: tensors, the tape, ops, threads, random numbers, errors, the gradient checker
#include "core/config.h"
#include "core/error.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/param.h"
#include "core/rng.h"
#include "core/tape.h"
#include "core/tensor.h"

// layers: every layer, the functional API (Input, layer<T>, Network), the registry
#include "layers/activation.h"
#include "layers/activations.h"
#include "layers/add.h"
#include "layers/attention.h"
#include "layers/average.h"
#include "layers/concatenate.h"
#include "layers/dense.h"
#include "layers/dot.h"
#include "layers/dropout.h"
#include "layers/embedding.h"
#include "layers/flatten.h"
#include "layers/graph.h"
#include "layers/initializers.h"
#include "layers/input_layer.h"
#include "layers/layer.h"
#include "layers/lstm.h"
#include "layers/mask.h"
#include "layers/merge.h"
#include "layers/multiply.h"
#include "layers/network.h"
#include "layers/permute.h"
#include "layers/registry.h"
#include "layers/repeat_vector.h"
#include "layers/reshape.h"
#include "layers/subtract.h"
#include "layers/summary.h"

// optim: losses and optimizers
#include "optim/adam.h"
#include "optim/loss.h"
#include "optim/optimizer.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"

// io: the model format, heatmaps (PNG, GIF, HTML), text data
#include "io/attention_html.h"
#include "io/char_encoder.h"
#include "io/colormap.h"
#include "io/gif.h"
#include "io/heatmap.h"
#include "io/image.h"
#include "io/model_format.h"
#include "io/text_dataset.h"
#include "io/tokenizer.h"

// train: Model (compile, fit, evaluate), callbacks, checkpoints, load_model
#include "train/callback.h"
#include "train/checkpoint.h"
#include "train/distributed.h"
#include "train/fit_options.h"
#include "train/history.h"
#include "train/load_model.h"
#include "train/model.h"
#include "train/progress_bar.h"
