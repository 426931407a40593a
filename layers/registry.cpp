#include "layers/registry.h"

#include "core/error.h"
#include "layers/activation.h"
#include "layers/add.h"
#include "layers/attention.h"
#include "layers/average.h"
#include "layers/bidirectional.h"
#include "layers/concatenate.h"
#include "layers/dense.h"
#include "layers/dot.h"
#include "layers/dropout.h"
#include "layers/embedding.h"
#include "layers/flatten.h"
#include "layers/gru.h"
#include "layers/lstm.h"
#include "layers/masking.h"
#include "layers/multiply.h"
#include "layers/permute.h"
#include "layers/repeat_vector.h"
#include "layers/reshape.h"
#include "layers/softmax.h"
#include "layers/subtract.h"
#include "layers/time_distributed.h"

namespace tn {

namespace {

struct LayerClass {
    const char* name;
    std::unique_ptr<Layer> (*from_config)(const ConfigReader&);
};

// One line per layer class, sorted by name.
constexpr LayerClass kLayerClasses[] = {
    {"Activation", Activation::from_config},
    {"Add", Add::from_config},
    {"Attention", Attention::from_config},
    {"Average", Average::from_config},
    {"Bidirectional", Bidirectional::from_config},
    {"Concatenate", Concatenate::from_config},
    {"Dense", Dense::from_config},
    {"Dot", Dot::from_config},
    {"Dropout", Dropout::from_config},
    {"Embedding", Embedding::from_config},
    {"Flatten", Flatten::from_config},
    {"GRU", GRU::from_config},
    {"LSTM", LSTM::from_config},
    {"Masking", Masking::from_config},
    {"Multiply", Multiply::from_config},
    {"Permute", Permute::from_config},
    {"RepeatVector", RepeatVector::from_config},
    {"Reshape", Reshape::from_config},
    {"Softmax", Softmax::from_config},
    {"Subtract", Subtract::from_config},
    {"TimeDistributed", TimeDistributed::from_config},
};

std::unique_ptr<Layer> named(std::unique_ptr<Layer> layer, const ConfigReader& config) {
    const std::string name = config.text("name", "");
    if (!name.empty()) layer->set_name(name);
    return layer;
}

}  // namespace

const std::vector<std::string>& known_layer_classes() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto& c : kLayerClasses) v.push_back(c.name);
        return v;
    }();
    return names;
}

std::unique_ptr<Layer> layer_from_config(const std::string& class_name, const ConfigReader& config,
                                         const CustomLayers& custom) {
    if (const auto it = custom.find(class_name); it != custom.end()) return named(it->second(config), config);
    for (const auto& c : kLayerClasses)
        if (class_name == c.name) return named(c.from_config(config), config);
    std::string known;
    for (const auto& c : kLayerClasses) known += std::string(known.empty() ? "" : ", ") + c.name;
    for (const auto& [name, factory] : custom) known += ", " + name;
    value_error("layer registry", "unknown layer class '" + class_name + "'; known classes are: " + known);
}

}  // namespace tn
