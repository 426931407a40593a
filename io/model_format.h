// tapenet io: saving and loading whole networks in the TensorFlow.js Layers format (docs/format.md).
//
//   tn::save_model(model, "out/model.json");           // model.json + out/model.weights.<crc>.bin
//   tn::Network again;
//   tn::load_network(again, "out/model.json");
//   again.predict(x);                                  // bit-identical to model.predict(x)
//
// train/load_model.h's load_model returns the same as a tn::Model, ready to compile and train.
//
// model.json holds the architecture (a Keras "Sequential" topology whose layers the registry,
// layers/registry.h, rebuilds from {class_name, config}), the weights manifest and a check block
// {format_version, weights_crc32, weights_bytes}. TensorFlow.js loads these files with
// tf.loadLayersModel; tapenet loads the files TF.js saves (auto names such as "lstm_LSTM1", its
// default recurrent_activation "hard_sigmoid", extra keys).
//
// Saving is atomic (io/model_files.h): an error or a crash leaves the previous pair loadable.
// Loading throws a tn::FormatError naming the file and what is wrong, for: a missing file,
// malformed JSON, a missing key, an unknown layer class, a manifest shape that differs from the
// layer rebuilt from its config, a weight missing or unclaimed, weights files too short or too long,
// a failed CRC-32, and NaN or infinite weights (refused, naming the weight).
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "layers/network.h"
#include "layers/registry.h"

namespace tn {

struct ModelFiles;   // io/model_files.h
struct WeightEntry;

// Writes the network's architecture and weights. It must be built (build(), fit() or a forward
// pass). Throws a tn::ValueError for an unbuilt network or a non-finite weight (naming it), and a
// std::runtime_error naming the file when the disk refuses.
void save_model(const Network& network, const std::string& path);

// What load_network read besides the network (for tools such as tapenet-inspect).
struct ModelFileInfo {
    std::string generated_by;   // "tapenet 0.1.0", "TensorFlow.js tfjs-layers v4.22.0", ...
    int format_version = 0;     // 0: the file has no tapenet block (saved by TF.js): only sizes were checked
    std::vector<std::string> weight_files;
    int64_t weights_bytes = 0;
    uint32_t weights_crc32 = 0; // computed; equal to the recorded one when format_version > 0
    int optimizer_entries = 0;  // manifest entries of group "optimizer" (a checkpoint)
};

// Fills `network`, constructed by the caller and still empty, from model.json and its weights with
// no user code: its name, layers and weights; it is then built. Its seed stays the caller's. Layer
// classes the program defines itself are passed in `custom_layers` (Keras' custom_objects):
//   tn::load_network(network, "m.json", nullptr, {{"Scale", Scale::from_config}});
void load_network(Network& network, const std::string& path, ModelFileInfo* info = nullptr,
                  const CustomLayers& custom_layers = {});

// Loads only the weights of a saved model into `network`, whose layers must have the names and
// weight shapes the file lists (Keras' load_weights). Builds the network first if needed.
void load_weights(Network& network, const std::string& path);

// ---- building blocks (train/checkpoint.cpp uses them) ----

// model.json without its weightsManifest: format, generatedBy, convertedBy, modelTopology.
nlohmann::ordered_json model_json_for(const Network& network);
// Every network weight as a manifest entry "<layer>/<weight>", in params() order.
std::vector<WeightEntry> model_weight_entries(const Network& network);
// Adds the layers that modelTopology describes to the empty `network`, gives it the topology's
// name and builds it (weights as initialised from the network's seed).
void build_from_topology(Network& network, const ModelFiles& files, const CustomLayers& custom_layers = {});
// Copies the manifest's model weights (group other than "optimizer") into the network's layers,
// matching each layer weight "<layer>/<w>" by name (also "<layer>/<scope>/<w>", Keras' cell scope).
void assign_weights(Network& network, const ModelFiles& files);

}  // namespace tn
