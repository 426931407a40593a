// tapenet io: saving and loading whole models in the TensorFlow.js Layers format (docs/format.md).
//
//   tn::save_model(model, "out/model.json");           // model.json + out/model.weights.<crc>.bin
//   std::unique_ptr<tn::Model> again = tn::load_model("out/model.json");
//   again->predict(x);                                 // bit-identical to model.predict(x)
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

#include "layers/model.h"
#include "layers/registry.h"

namespace tn {

struct ModelFiles;   // io/model_files.h
struct WeightEntry;

// Writes the model's architecture and weights. The model must be built (build(), fit() or a
// forward pass). Throws a tn::ValueError for an unbuilt model or a non-finite weight (naming it),
// and a std::runtime_error naming the file when the disk refuses.
void save_model(const Model& model, const std::string& path);

// What load_model read besides the model (for tools such as tapenet-inspect).
struct ModelFileInfo {
    std::string generated_by;   // "tapenet 0.1.0", "TensorFlow.js tfjs-layers v4.22.0", ...
    int format_version = 0;     // 0: the file has no tapenet block (saved by TF.js): only sizes were checked
    std::vector<std::string> weight_files;
    int64_t weights_bytes = 0;
    uint32_t weights_crc32 = 0; // computed; equal to the recorded one when format_version > 0
    int optimizer_entries = 0;  // manifest entries of group "optimizer" (a checkpoint)
};

// Rebuilds the model from model.json and its weights with no user code. The returned model is
// built, not compiled (compile it to train on; checkpoints restore the optimizer: io/checkpoint.h).
// Layer classes the program defines itself are passed in `custom_layers` (Keras' custom_objects):
//   tn::load_model("m.json", nullptr, {{"Scale", Scale::from_config}});
std::unique_ptr<Model> load_model(const std::string& path, ModelFileInfo* info = nullptr,
                                  const CustomLayers& custom_layers = {});

// Loads only the weights of a saved model into `model`, whose layers must have the names and
// weight shapes the file lists (Keras' load_weights). Builds the model first if needed.
void load_weights(Model& model, const std::string& path);

// ---- building blocks (io/checkpoint.cpp uses them) ----

// model.json without its weightsManifest: format, generatedBy, convertedBy, modelTopology.
nlohmann::ordered_json model_json_for(const Model& model);
// Every model weight as a manifest entry "<layer>/<weight>", in params() order.
std::vector<WeightEntry> model_weight_entries(const Model& model);
// The built model that modelTopology describes (weights as initialised, seeded by `seed`).
std::unique_ptr<Model> model_from_topology(const ModelFiles& files, uint64_t seed = 0,
                                           const CustomLayers& custom_layers = {});
// Copies the manifest's model weights (group other than "optimizer") into the model's layers,
// matching each layer weight "<layer>/<w>" by name (also "<layer>/<scope>/<w>", Keras' cell scope).
void assign_weights(Model& model, const ModelFiles& files);

}  // namespace tn
