#include "io/model_format.h"

#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/functional_format.h"
#include "io/json_config.h"
#include "io/model_files.h"
#include "layers/registry.h"

namespace tn {

namespace {

using ordered_json = nlohmann::ordered_json;

const std::string kGeneratedBy = std::string("tapenet ") + kTapenetVersion;


// ---- writing ----

ordered_json shape_json(const Shape& shape) {  // -1 (any size) is written as null
    ordered_json out = ordered_json::array();
    for (int64_t d : shape) out.push_back(d < 0 ? ordered_json() : ordered_json(d));
    return out;
}

// {class_name, config} of one layer: name, trainable, dtype, [batch_input_shape], then the keys the
// layer's get_config writes, in its order (Keras').
ordered_json layer_json(const Layer& layer, const Shape* batch_input_shape) {
    ordered_json config = {{"name", layer.name()}, {"trainable", true}, {"dtype", "float32"}};
    if (batch_input_shape) config["batch_input_shape"] = shape_json(*batch_input_shape);
    JsonConfigWriter writer(config);
    layer.get_config(writer);
    return {{"class_name", layer.class_name()}, {"config", std::move(config)}};
}

// ---- reading: the topology ----

struct LayerSpec {
    std::string class_name;
    ordered_json config;
    std::string where;  // "layer 2 ('dense_Dense1', Dense)"
};

struct Topology {
    std::string name = "sequential";
    std::vector<LayerSpec> layers;
    Shape input_shape;  // batch first, -1 = any; empty if no layer gave it
};

// A Keras shape list: [null, 5, 3] (with_batch) or [5, 3]; null = any size.
Shape parse_shape(const ordered_json& j, bool with_batch, const std::string& file, const std::string& what) {
    if (!j.is_array() || j.size() < (with_batch ? 2u : 1u) || j.size() > 8)
        format_error(file, what + " must be a list of sizes such as [null, 20, 1], got " + j.dump());
    Shape shape;
    if (!with_batch) shape.push_back(-1);
    for (size_t i = 0; i < j.size(); ++i) {
        if (with_batch && i == 0) {
            shape.push_back(-1);  // the batch size never matters
            continue;
        }
        if (j[i].is_null()) {
            shape.push_back(-1);
        } else if (j[i].is_number_integer() && j[i].get<int64_t>() > 0 && j[i].get<int64_t>() <= (int64_t{1} << 31)) {
            shape.push_back(j[i].get<int64_t>());
        } else {
            format_error(file, what + " must hold positive sizes or null, got " + j.dump());
        }
    }
    return shape;
}

std::optional<Shape> input_shape_of(const ordered_json& config, const std::string& file, const std::string& where) {
    for (const char* key : {"batch_input_shape", "batch_shape"})
        if (config.contains(key) && !config.at(key).is_null())
            return parse_shape(config.at(key), true, file, where + ": " + key);
    if (config.contains("input_shape") && !config.at("input_shape").is_null())
        return parse_shape(config.at("input_shape"), false, file, where + ": input_shape");
    return std::nullopt;
}

// The keys every layer config may carry that tapenet checks rather than ignores.
void check_common_keys(const ordered_json& config, const std::string& file, const std::string& where) {
    if (config.contains("dtype") && !config.at("dtype").is_null()) {
        const ordered_json& d = config.at("dtype");
        // Keras 3 writes a DTypePolicy object {"class_name": "DTypePolicy", "config": {"name": "float32"}}.
        const bool float32 = d == "float32" || (d.is_object() && d.contains("config") && d.at("config").is_object() &&
                                                d.at("config").value("name", ordered_json()) == "float32");
        if (!float32) format_error(file, where + ": dtype " + d.dump() + " is not supported; tapenet computes in float32");
    }
    for (const auto& [key, value] : config.items()) {
        const bool extra = key.ends_with("_regularizer") || key.ends_with("_constraint");
        if (extra && !value.is_null())
            format_error(file, where + ": '" + key + "' is set, but tapenet has no regularizers or constraints");
    }
}

// modelTopology (its model_config when a converter wrapped it), with a string class_name.
const ordered_json& topology_of(const ModelFiles& files) {
    const std::string& file = files.path;
    const ordered_json& j = *files.model_json;
    if (!j.contains("modelTopology") || j.at("modelTopology").is_null())
        format_error(file, "missing key 'modelTopology' (the architecture); is this a TensorFlow.js Layers model.json?");
    const ordered_json* topology = &j.at("modelTopology");
    if (topology->is_object() && topology->contains("model_config")) topology = &topology->at("model_config");
    if (!topology->is_object() || !topology->contains("class_name") || !topology->at("class_name").is_string())
        format_error(file, "modelTopology must be an object with a string 'class_name'");
    return *topology;
}

// "Model" (TF.js) and "Functional" (Keras 2) are graphs (io/functional_format.h).
bool is_functional(const ordered_json& topology) {
    const std::string cls = topology.at("class_name").get<std::string>();
    return cls == "Model" || cls == "Functional";
}

Topology parse_topology(const ModelFiles& files) {
    const std::string& file = files.path;
    const ordered_json* topology = &topology_of(files);
    const std::string cls = topology->at("class_name").get<std::string>();
    if (cls != "Sequential")
        format_error(file, "modelTopology.class_name is '" + cls + "'; tapenet loads Sequential, Model and Functional models");
    if (!topology->contains("config")) format_error(file, "modelTopology is missing the key 'config'");
    const ordered_json& config = topology->at("config");

    Topology t;
    const ordered_json* layers = &config;
    if (config.is_object()) {
        if (config.contains("name") && config.at("name").is_string() && !config.at("name").get<std::string>().empty())
            t.name = config.at("name").get<std::string>();
        if (!config.contains("layers")) format_error(file, "modelTopology.config is missing the key 'layers'");
        layers = &config.at("layers");
    }
    if (!layers->is_array()) format_error(file, "modelTopology.config.layers must be a list of {class_name, config}");

    for (size_t i = 0; i < layers->size(); ++i) {
        const ordered_json& l = (*layers)[i];
        std::string where = "layer " + std::to_string(i);
        if (!l.is_object() || !l.contains("class_name") || !l.at("class_name").is_string())
            format_error(file, where + " must be an object with a string 'class_name'");
        LayerSpec spec{l.at("class_name").get<std::string>(), l.contains("config") ? l.at("config") : ordered_json(), ""};
        if (!spec.config.is_object())
            format_error(file, where + " (" + spec.class_name + ") is missing its 'config' object");
        if (spec.config.contains("name") && spec.config.at("name").is_string())
            where += " ('" + spec.config.at("name").get<std::string>() + "', " + spec.class_name + ")";
        else
            where += " (" + spec.class_name + ")";
        spec.where = where;

        const bool first = t.layers.empty();
        if (spec.class_name == "InputLayer") {  // Keras' explicit input: only its shape matters
            if (!first) format_error(file, where + ": an InputLayer must come first");
            const auto shape = input_shape_of(spec.config, file, where);
            if (!shape) format_error(file, where + " has no batch_input_shape (or batch_shape)");
            t.input_shape = *shape;
            continue;
        }
        check_common_keys(spec.config, file, where);
        if (first && t.input_shape.empty())
            if (const auto shape = input_shape_of(spec.config, file, where)) t.input_shape = *shape;
        t.layers.push_back(std::move(spec));
    }
    if (t.layers.empty()) format_error(file, "modelTopology.config.layers has no layers");
    if (t.input_shape.empty())
        format_error(file, "the first layer (" + t.layers.front().where + ") has no batch_input_shape or input_shape; "
                           "tapenet needs the input shape to build the model");
    return t;
}

bool is_optimizer_entry(const WeightEntry& e) { return e.group == "optimizer"; }

// A count held in a double (it may exceed int64 when a config is absurd): digits, no exponent.
std::string count_str(double n) {
    char buf[64];
    std::snprintf(buf, sizeof buf, n < 1e18 ? "%.0f" : "%.3e", n);
    return buf;
}

}  // namespace

// ---- writing ----

ordered_json model_json_for(const Network& model) {
    if (!model.built())
        value_error("save_model", "the model is not built; call build({-1, T, D}), fit() or predict() first");
    ordered_json config;
    if (model.sequential()) {
        ordered_json layers = ordered_json::array();
        for (size_t i = 0; i < model.layers().size(); ++i)
            layers.push_back(layer_json(*model.layers()[i], i == 0 ? &model.input_shape() : nullptr));
        config = {{"name", model.name()}, {"layers", layers}};
    } else {
        config = functional_config_json(model, [](const Layer& l) { return layer_json(l, nullptr); });
    }
    ordered_json topology = {{"class_name", model.sequential() ? "Sequential" : "Model"},
                             {"config", std::move(config)},
                             {"keras_version", kGeneratedBy},
                             {"backend", "tapenet"}};
    return {{"format", "layers-model"},
            {"generatedBy", kGeneratedBy},
            {"convertedBy", nullptr},
            {"modelTopology", topology}};
}

std::vector<WeightEntry> model_weight_entries(const Network& model) {
    std::vector<WeightEntry> entries;
    for (const Param& p : model.params()) entries.push_back(float_entry(p.name, p.value));
    return entries;
}

void save_model(const Network& model, const std::string& path) {
    ordered_json j = model_json_for(model);
    std::vector<WeightEntry> weights = model_weight_entries(model);
    try {
        write_model_files(path, std::move(j), weights, ordered_json::object());
    } catch (const std::invalid_argument&) {
        throw;
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("save_model: ") + e.what());
    }
}

// ---- reading ----

void build_from_topology(Network& network, const ModelFiles& files, const CustomLayers& custom) {
    const std::string& file = files.path;
    if (!network.layers().empty())
        value_error("load_network", "the network to fill must be empty, but it has " +
                                        std::to_string(network.layers().size()) + " layers");
    const ordered_json& topology = topology_of(files);
    if (is_functional(topology)) {
        FunctionalLoad load{file, 0, files.model_json->contains("weightsManifest"), custom, {}};
        for (const WeightEntry& e : files.weights)
            if (!is_optimizer_entry(e)) load.available_weights += static_cast<double>(shape_numel(e.shape));
        load.check_common_keys = [&](const ordered_json& config, const std::string& where) {
            check_common_keys(config, file, where);
        };
        if (!topology.contains("config")) format_error(file, "modelTopology is missing the key 'config'");
        build_functional(network, topology.at("config"), load);
        return;
    }
    Topology t = parse_topology(files);
    network.set_name(t.name);
    for (const LayerSpec& spec : t.layers) {
        try {
            network.add(layer_from_json(spec.class_name, spec.config, custom));
        } catch (const std::exception& e) {
            format_error(file, spec.where + ": " + e.what());
        }
    }

    // Before allocating anything: the weights the topology implies must fit in the weights files.
    double available = 0;
    for (const WeightEntry& e : files.weights)
        if (!is_optimizer_entry(e)) available += static_cast<double>(shape_numel(e.shape));
    Shape shape = t.input_shape;
    double needed = 0;
    for (const auto& layer : network.layers()) {
        const std::string where = "layer '" + layer->name() + "' (" + layer->class_name() + ")";
        double n = 0;
        try {
            n = layer->count_weights_for(shape);
            shape = layer->output_shape(shape);
        } catch (const std::exception& e) {
            format_error(file, where + " cannot take its input of shape " + shape_str(shape) + ": " + e.what());
        }
        needed += n;
        if (needed > 0 && !files.model_json->contains("weightsManifest"))
            format_error(file, "missing key 'weightsManifest': the model has weights and tapenet does not make up "
                               "new ones when loading");
        if (needed > available)
            format_error(file, where + ": the topology needs at least " + count_str(needed) +
                                   " weights up to this layer, but the weightsManifest holds " + count_str(available));
    }
    try {
        network.build(t.input_shape);
    } catch (const std::exception& e) {
        format_error(file, "cannot build the model for input shape " + shape_str(t.input_shape) + ": " + e.what());
    }
}

void assign_weights(Network& model, const ModelFiles& files) {
    const std::string& file = files.path;
    std::map<std::string, size_t> by_name;
    for (size_t i = 0; i < files.weights.size(); ++i) {
        const WeightEntry& e = files.weights[i];
        if (is_optimizer_entry(e)) continue;
        if (!by_name.emplace(e.name, i).second) format_error(file, "the weightsManifest lists '" + e.name + "' twice");
    }

    // Scoped names "<layer>/<scope...>/<w>" (Keras' "lstm/lstm_cell/kernel") indexed by
    // "<layer>\0<w>" for every '/' that could end the layer's name, so a lookup costs one find.
    std::unordered_map<std::string, std::vector<size_t>> scoped;
    for (const auto& [name, i] : by_name) {
        const size_t last = name.rfind('/');
        if (last == std::string::npos) continue;
        for (size_t p = name.find('/'); p < last; p = name.find('/', p + 1))
            scoped[name.substr(0, p) + '\0' + name.substr(last + 1)].push_back(i);
    }

    std::vector<bool> claimed(files.weights.size(), false);
    std::vector<std::pair<Layer*, std::vector<Tensor>>> values;
    for (const auto& layer : model.layers()) {
        const std::string prefix = layer->name() + "/";
        std::vector<Tensor> layer_values;
        for (const Param& p : layer->params()) {
            const std::string full = prefix + p.name;
            // "<layer>/<w>", else "<layer>/<alias>" (Layer::weight_aliases), else "<layer>/<scope>/<w>"
            // (Keras' "lstm/lstm_cell/kernel").
            std::optional<size_t> found;
            if (const auto it = by_name.find(full); it != by_name.end()) found = it->second;
            for (const std::string& alias : layer->weight_aliases(p.name)) {
                if (const auto it = by_name.find(prefix + alias); it != by_name.end()) {
                    if (found)
                        format_error(file, "model weight '" + full + "' matches both '" + files.weights[*found].name +
                                               "' and '" + it->first + "' in the weightsManifest");
                    found = it->second;
                }
            }
            if (!found) {
                if (const auto it = scoped.find(layer->name() + '\0' + p.name); it != scoped.end()) {
                    if (it->second.size() > 1)
                        format_error(file, "model weight '" + full + "' matches both '" + files.weights[it->second[0]].name +
                                               "' and '" + files.weights[it->second[1]].name + "' in the weightsManifest");
                    found = it->second[0];
                }
            }
            if (!found)
                format_error(file, "model weight '" + full + "' of layer '" + layer->name() + "' (" +
                                       layer->class_name() + ") is not in the weightsManifest");
            const WeightEntry& e = files.weights[*found];
            if (e.shape != p.value.shape())
                format_error(file, "weight '" + e.name + "' has shape " + shape_str(e.shape) + " in the weightsManifest, but layer '" +
                                       layer->name() + "' (" + layer->class_name() + ") built from its config expects " +
                                       shape_str(p.value.shape()));
            if (claimed[*found])
                format_error(file, "weightsManifest entry '" + e.name + "' is claimed by two layers (layer names that "
                                   "contain '/' are ambiguous)");
            claimed[*found] = true;
            layer_values.push_back(entry_tensor(e, file));
        }
        values.emplace_back(layer.get(), std::move(layer_values));
    }
    for (size_t i = 0; i < files.weights.size(); ++i)
        if (!claimed[i] && !is_optimizer_entry(files.weights[i]))
            format_error(file, "the weightsManifest lists '" + files.weights[i].name +
                                   "', which is no weight of any layer of the model");
    // Only now, with every value checked, write into the layers.
    for (auto& [layer, v] : values) layer->set_weights(v);
}

void load_network(Network& network, const std::string& path, ModelFileInfo* info, const CustomLayers& custom_layers) {
    ModelFiles files = read_model_files(path);
    build_from_topology(network, files, custom_layers);
    assign_weights(network, files);
    if (info) {
        info->generated_by = files.generated_by;
        info->format_version = files.format_version;
        info->weight_files = files.weight_files;
        info->weights_bytes = files.weights_bytes;
        info->weights_crc32 = files.weights_crc32;
        info->optimizer_entries = 0;
        for (const WeightEntry& e : files.weights) info->optimizer_entries += is_optimizer_entry(e);
    }
}

void load_weights(Network& model, const std::string& path) {
    ModelFiles files = read_model_files(path);
    if (!model.built()) {
        if (is_functional(topology_of(files)))
            value_error("load_weights", "the file holds a functional model; build the same graph first");
        model.build(parse_topology(files).input_shape);
    }
    assign_weights(model, files);
}

}  // namespace tn
