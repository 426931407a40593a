// tapenet layers: the registry, which rebuilds a layer from its Keras class name and config.
//
//   auto layer = tn::layer_from_config("LSTM", {{"units", 100}, {"return_sequences", true}});
//
// Configs written by Keras or TensorFlow.js carry more keys than tapenet reads (trainable, dtype,
// batch_input_shape, initializer objects, ...): unknown keys are ignored. A known key with the
// wrong type or an invalid value throws a tn::ValueError naming the layer class and the key.
// An unknown class name throws listing the known ones.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "layers/layer.h"

namespace tn {

std::unique_ptr<Layer> layer_from_config(const std::string& class_name, const Json& config);

// The class names layer_from_config knows: Attention, Dense, Dropout, Embedding, LSTM.
const std::vector<std::string>& known_layer_classes();

}  // namespace tn
