// tapenet layers: the registry, which rebuilds a layer from its Keras class name and config.
//
//   tn::JsonConfigReader config(nlohmann::ordered_json{{"units", 100}}, "LSTM config");  // io/json_config.h
//   std::unique_ptr<tn::Layer> layer = tn::layer_from_config("LSTM", config);
//
// Each class reads its own keys (its static from_config); the registry only maps class names to
// those functions, one line per class in registry.cpp. Classes a program defines itself are passed
// as `custom` (Keras' custom_objects). An unknown class name throws a ValueError listing the known
// ones. The layer takes the config's "name" when it has one.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "layers/layer.h"

namespace tn {

using LayerFactory = std::function<std::unique_ptr<Layer>(const ConfigReader&)>;
// Class name -> from_config, for layer classes defined outside tapenet.
using CustomLayers = std::map<std::string, LayerFactory>;

std::unique_ptr<Layer> layer_from_config(const std::string& class_name, const ConfigReader& config,
                                         const CustomLayers& custom = {});

// The class names tapenet itself knows: Attention, Dense, Dropout, Embedding, LSTM.
const std::vector<std::string>& known_layer_classes();

}  // namespace tn
