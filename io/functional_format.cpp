#include "io/functional_format.h"

#include <array>
#include <deque>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/json_config.h"
#include "layers/graph.h"
#include "layers/input_layer.h"

namespace tn {

namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json tensor_ref(const Network& net, const GraphNode::Ref& r) {
    const GraphNode& g = net.nodes()[r.node];
    return ordered_json::array({g.layer->name(), g.node_index, r.tensor});
}

// One application of a layer as the file gives it.
struct FileNode {
    size_t layer = 0;                             // position in the file's layers
    std::vector<std::array<size_t, 3>> inputs;    // {layer position, node index, tensor index}
    size_t waiting = 0;                           // inputs whose node is not made yet
    std::vector<size_t> readers;                  // file nodes that read this one
    KerasTensors outputs;
};

struct FileLayer {
    std::string name, where;
    std::shared_ptr<Layer> layer;
    std::vector<size_t> nodes;  // positions in the file nodes, by node index
    bool input = false;
    KerasTensor input_tensor;   // an InputLayer's tensor
    bool counted = false;       // its weights were counted
};

// [layer_name, node_index, tensor_index(, kwargs)] -> positions.
std::array<size_t, 3> parse_ref(const ordered_json& ref, const std::unordered_map<std::string, size_t>& by_name,
                                const std::string& file, const std::string& where) {
    if (!ref.is_array() || ref.size() < 3 || !ref[0].is_string() || !ref[1].is_number_unsigned() || !ref[2].is_number_unsigned())
        format_error(file, where + ": a tensor reference must be [layer_name, node_index, tensor_index, kwargs], got " + ref.dump());
    const auto it = by_name.find(ref[0].get<std::string>());
    if (it == by_name.end()) format_error(file, where + ": refers to a layer '" + ref[0].get<std::string>() + "' the model does not have");
    return {it->second, ref[1].get<size_t>(), ref[2].get<size_t>()};
}

std::vector<FileLayer> read_layers(const ordered_json& list, const FunctionalLoad& load,
                                   std::unordered_map<std::string, size_t>& by_name) {
    std::vector<FileLayer> layers;
    for (size_t i = 0; i < list.size(); ++i) {
        const ordered_json& l = list[i];
        std::string where = "layer " + std::to_string(i);
        if (!l.is_object() || !l.contains("class_name") || !l.at("class_name").is_string() || !l.contains("config") ||
            !l.at("config").is_object())
            format_error(load.file, where + " must be an object with a string 'class_name' and a 'config' object");
        const std::string cls = l.at("class_name").get<std::string>();
        const ordered_json& config = l.at("config");
        FileLayer f;
        f.name = l.contains("name") && l.at("name").is_string() ? l.at("name").get<std::string>() : config.value("name", "");
        if (f.name.empty()) format_error(load.file, where + " (" + cls + ") has no name");
        f.where = where + " ('" + f.name + "', " + cls + ")";
        if (!by_name.emplace(f.name, layers.size()).second) format_error(load.file, f.where + ": the name is used twice");
        try {
            if (cls == "InputLayer") {
                const JsonConfigReader reader(config, "InputLayer config");
                const Shape shape = reader.integers(reader.has("batch_input_shape") ? "batch_input_shape" : "batch_shape");
                if (shape.size() < 2) format_error(load.file, f.where + ": the input shape needs a batch and a feature axis");
                f.input_tensor = Input(Shape(shape.begin() + 1, shape.end()), f.name);
                f.layer = f.input_tensor.node()->layer;
                f.input = true;
            } else {
                load.check_common_keys(config, f.where);
                f.layer = layer_from_json(cls, config, load.custom);
                f.layer->set_name(f.name);
            }
        } catch (const FormatError&) {
            throw;
        } catch (const std::exception& e) {
            format_error(load.file, f.where + ": " + e.what());
        }
        layers.push_back(std::move(f));
    }
    return layers;
}

// The file's nodes, each with the positions of what it reads; an InputLayer's node 0 is its tensor.
std::vector<FileNode> read_nodes(const ordered_json& list, std::vector<FileLayer>& layers,
                                 const std::unordered_map<std::string, size_t>& by_name, const std::string& file) {
    std::vector<FileNode> nodes;
    for (size_t i = 0; i < layers.size(); ++i) {
        const ordered_json& l = list[i];
        const ordered_json inbound = l.contains("inbound_nodes") ? l.at("inbound_nodes") : ordered_json::array();
        if (!inbound.is_array()) format_error(file, layers[i].where + ": inbound_nodes must be a list");
        if (layers[i].input) {
            FileNode n;
            n.layer = i;
            n.outputs = layers[i].input_tensor;
            layers[i].nodes.push_back(nodes.size());
            nodes.push_back(std::move(n));
            continue;
        }
        for (const ordered_json& node : inbound) {
            // Keras 2 and TF.js: a list of refs; a dict {"args": ...} is Keras 3's form.
            if (!node.is_array() || node.empty())
                format_error(file, layers[i].where + ": an inbound node must be a non-empty list of "
                                                     "[layer_name, node_index, tensor_index, kwargs] (Keras 3 files are not supported)");
            FileNode n;
            n.layer = i;
            for (const ordered_json& ref : node) n.inputs.push_back(parse_ref(ref, by_name, file, layers[i].where));
            layers[i].nodes.push_back(nodes.size());
            nodes.push_back(std::move(n));
        }
    }
    return nodes;
}

// The file node a reference points at; throws naming `where` if there is none.
size_t node_of(const std::array<size_t, 3>& ref, const std::vector<FileLayer>& layers, const std::string& file,
               const std::string& where) {
    const FileLayer& source = layers[ref[0]];
    if (ref[1] >= source.nodes.size())
        format_error(file, where + ": reads node " + std::to_string(ref[1]) + " of '" + source.name + "', which has " +
                               std::to_string(source.nodes.size()));
    return source.nodes[ref[1]];
}

// Makes every node once the nodes it reads are made (Kahn's algorithm); counts weights as it goes.
void make_nodes(std::vector<FileNode>& nodes, std::vector<FileLayer>& layers, const FunctionalLoad& load) {
    std::deque<size_t> ready;
    for (size_t n = 0; n < nodes.size(); ++n) {
        for (const auto& ref : nodes[n].inputs) nodes[node_of(ref, layers, load.file, layers[nodes[n].layer].where)].readers.push_back(n);
        nodes[n].waiting = nodes[n].inputs.size();
        if (nodes[n].waiting == 0) ready.push_back(n);
    }
    double needed = 0;
    size_t made = 0;
    while (!ready.empty()) {
        const size_t n = ready.front();
        ready.pop_front();
        ++made;
        FileNode& node = nodes[n];
        FileLayer& layer = layers[node.layer];
        if (!node.inputs.empty()) {
            KerasTensors in;
            for (const auto& ref : node.inputs) {
                const FileNode& source = nodes[node_of(ref, layers, load.file, layer.where)];
                if (ref[2] >= source.outputs.size())
                    format_error(load.file, layer.where + ": reads output " + std::to_string(ref[2]) + " of '" +
                                                layers[ref[0]].name + "', which has " + std::to_string(source.outputs.size()));
                in.push_back(source.outputs[ref[2]]);
            }
            try {
                node.outputs = apply_layer(layer.layer, in);
                if (!layer.counted) needed += layer.layer->count_weights_for(in[0].shape());
            } catch (const std::exception& e) {
                format_error(load.file, layer.where + " cannot take its inputs: " + e.what());
            }
            layer.counted = true;
            if (needed > 0 && !load.has_manifest)
                format_error(load.file, "missing key 'weightsManifest': the model has weights and tapenet does not make up "
                                        "new ones when loading");
            if (needed > load.available_weights)
                format_error(load.file, layer.where + ": the topology needs more weights than the weightsManifest holds");
        }
        for (size_t r : node.readers)
            if (--nodes[r].waiting == 0) ready.push_back(r);
    }
    if (made != nodes.size()) format_error(load.file, "the layers' inbound_nodes form a cycle");
}

KerasTensors model_tensors(const ordered_json& config, const char* key, const std::vector<FileNode>& nodes,
                           const std::vector<FileLayer>& layers, const std::unordered_map<std::string, size_t>& by_name,
                           const std::string& file) {
    if (!config.contains(key) || !config.at(key).is_array() || config.at(key).empty())
        format_error(file, std::string("modelTopology.config is missing the list '") + key + "'");
    KerasTensors out;
    for (const ordered_json& r : config.at(key)) {
        const auto ref = parse_ref(r, by_name, file, key);
        const FileNode& node = nodes[node_of(ref, layers, file, key)];
        if (ref[2] >= node.outputs.size()) format_error(file, std::string(key) + ": " + r.dump() + " names no output");
        out.push_back(node.outputs[ref[2]]);
    }
    return out;
}

}  // namespace

void build_functional(Network& network, const ordered_json& config, const FunctionalLoad& load) {
    if (!config.is_object() || !config.contains("layers") || !config.at("layers").is_array())
        format_error(load.file, "modelTopology.config must be an object with a list 'layers'");
    const ordered_json& list = config.at("layers");
    std::unordered_map<std::string, size_t> by_name;
    std::vector<FileLayer> layers = read_layers(list, load, by_name);
    std::vector<FileNode> nodes = read_nodes(list, layers, by_name, load.file);
    make_nodes(nodes, layers, load);
    const KerasTensors inputs = model_tensors(config, "input_layers", nodes, layers, by_name, load.file);
    const KerasTensors outputs = model_tensors(config, "output_layers", nodes, layers, by_name, load.file);
    if (config.contains("name") && config.at("name").is_string()) network.set_name(config.at("name").get<std::string>());
    try {
        network.set_graph(inputs, outputs);
    } catch (const std::exception& e) {
        format_error(load.file, std::string("cannot build the model: ") + e.what());
    }
}

ordered_json functional_config_json(const Network& net, const std::function<ordered_json(const Layer&)>& layer_json) {
    ordered_json layers = ordered_json::array();
    for (size_t i = 0; i < net.input_nodes().size(); ++i) {
        const Layer& input = *net.nodes()[net.input_nodes()[i]].layer;
        ordered_json j = layer_json(input);
        layers.push_back({{"name", input.name()}, {"class_name", "InputLayer"}, {"config", j.at("config")},
                          {"inbound_nodes", ordered_json::array()}});
    }
    for (const auto& layer : net.layers()) {
        ordered_json nodes = ordered_json::array();
        for (const GraphNode& g : net.nodes()) {
            if (g.layer != layer.get()) continue;
            ordered_json node = ordered_json::array();
            for (const GraphNode::Ref& r : g.inputs) {
                ordered_json ref = tensor_ref(net, r);
                ref.push_back(ordered_json::object());
                node.push_back(std::move(ref));
            }
            nodes.push_back(std::move(node));
        }
        ordered_json j = layer_json(*layer);
        layers.push_back({{"name", layer->name()}, {"class_name", j.at("class_name")}, {"config", j.at("config")},
                          {"inbound_nodes", std::move(nodes)}});
    }
    ordered_json inputs = ordered_json::array(), outputs = ordered_json::array();
    for (size_t k : net.input_nodes()) inputs.push_back(tensor_ref(net, {k, 0}));
    for (const GraphNode::Ref& r : net.outputs()) outputs.push_back(tensor_ref(net, r));
    return {{"name", net.name()}, {"layers", std::move(layers)}, {"input_layers", std::move(inputs)},
            {"output_layers", std::move(outputs)}};
}

}  // namespace tn
