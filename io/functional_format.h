// tapenet io: functional topologies in model.json, both ways (used by io/model_format.cpp).
//
// Keras and TensorFlow.js write a functional model as {"class_name": "Model" (TF.js) or
// "Functional" (Keras 2), "config": {"name", "layers", "input_layers", "output_layers"}}. Each
// entry of "layers" is {"name", "class_name", "config", "inbound_nodes"}: one inbound node per
// application of the layer (a shared layer has several), each the list of its inputs as
// [layer_name, node_index, tensor_index, kwargs]. InputLayers have no inbound nodes; input_layers
// and output_layers are [layer_name, node_index, tensor_index]. tapenet writes class "Model" and
// empty kwargs; it reads kwargs and ignores them.
//
// Reading is linear in the file: layers are indexed by name, and each node is made once all the
// nodes it reads are made (a queue over the nodes with a count of what each still waits for), so
// the layers may come in any order.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "layers/network.h"
#include "layers/registry.h"

namespace tn {

// {"name", "layers", "input_layers", "output_layers"} of a built functional network; `layer_json`
// gives {class_name, config} of one layer.
nlohmann::ordered_json functional_config_json(
    const Network& network, const std::function<nlohmann::ordered_json(const Layer&)>& layer_json);

// What building a functional topology needs from the rest of the loader.
struct FunctionalLoad {
    std::string file;                     // for errors
    double available_weights = 0;         // model weights in the manifest
    bool has_manifest = true;
    CustomLayers custom;
    // Checks the keys all layer configs share (dtype, regularizers); throws a FormatError.
    std::function<void(const nlohmann::ordered_json& config, const std::string& where)> check_common_keys;
};

// Makes the empty `network` the graph `config` describes (errors: tn::FormatError naming the file
// and the layer). Refuses a topology that needs more weights than the manifest holds before
// allocating them.
void build_functional(Network& network, const nlohmann::ordered_json& config, const FunctionalLoad& load);

}  // namespace tn
