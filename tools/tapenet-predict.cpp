// tapenet-predict: run a saved model on your own data.
//
//   build/bin/tapenet-predict MODEL.json INPUT... [--output FILE] [--batch-size N] [--attention DIR]
//
// One input file per model input, in the model's input order, each .npy, .csv or .json
// (io/tensor_file.h); the predictions go to stdout as JSON {"shape", "data"} (one line per model
// output), or to --output FILE in the format its extension names (a model with several outputs
// writes FILE_0.EXT, FILE_1.EXT, ... in output order). --attention DIR writes, for every Attention
// node of the run, its weights (N, T) as DIR/<layer>.npy and a heatmap DIR/<layer>.png.
// docs/predict.md has the rules and an example session.
//
// Exit status: 0 on success; 1 when a file cannot be used (a damaged model or input, a dtype or a
// shape the model cannot take: one line on stderr says which file and why); 2 on bad usage.
// Everything taken from a file is printed with its control characters escaped (io/terminal_text.h).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/heatmap.h"
#include "io/npy.h"
#include "io/tensor_file.h"
#include "io/tensor_json.h"
#include "io/terminal_text.h"
#include "layers/attention.h"
#include "layers/attention_recorder.h"
#include "train/load_model.h"

namespace {

constexpr const char* kUsage =
    "usage: tapenet-predict MODEL.json INPUT... [--output FILE] [--batch-size N] [--attention DIR]\n"
    "Runs a saved model on the inputs (one file per model input, in its input order: .npy, .csv or .json)\n"
    "and prints the predictions as JSON {\"shape\": [...], \"data\": [...]}, one line per model output.\n"
    "  --output FILE     write the predictions to FILE instead (.npy, .csv or .json, by its extension);\n"
    "                    a model with several outputs writes FILE_0.EXT, FILE_1.EXT, ... in output order\n"
    "  --batch-size N    samples per forward pass, an integer in [1, 1000000] (default 32); the results\n"
    "                    do not depend on it\n"
    "  --attention DIR   write each Attention layer's weights (DIR/<layer>.npy, (samples, time steps))\n"
    "                    and a heatmap of the first 50 samples (DIR/<layer>.png); DIR is created\n"
    "Exit status: 1 when a file cannot be used (the reason is printed), 2 on bad usage.\n"
    "See docs/predict.md.\n";

constexpr int64_t kMaxBatchSize = 1000000;
constexpr int64_t kHeatmapRows = 50;

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct PredictArgs {
    std::string model;
    std::vector<std::string> inputs;
    std::string output;  // "" for stdout
    int64_t batch_size = 32;
    std::string attention_dir;
};

int64_t parse_batch_size(const std::string& text) {
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < 1 || v > kMaxBatchSize)
        throw UsageError("--batch-size expects an integer in [1, " + std::to_string(kMaxBatchSize) + "], got '" + text + "'");
    return v;
}

PredictArgs parse_args(int argc, char** argv) {
    PredictArgs a;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw UsageError(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--output") a.output = value();
        else if (arg == "--batch-size") a.batch_size = parse_batch_size(value());
        else if (arg == "--attention") a.attention_dir = value();
        else if (arg.starts_with("--")) throw UsageError("unknown option '" + arg + "'");
        else positional.push_back(arg);
    }
    if (positional.size() < 2) throw UsageError("needs a model and at least one input file");
    a.model = positional[0];
    a.inputs.assign(positional.begin() + 1, positional.end());
    for (const std::string& in : a.inputs)
        if (!tn::tensor_format_of(in)) throw UsageError("input '" + in + "' does not end in .npy, .csv or .json");
    if (!a.output.empty() && !tn::tensor_format_of(a.output))
        throw UsageError("--output '" + a.output + "' does not end in .npy, .csv or .json");
    return a;
}

// Keras' spelling of a shape: (None, 5, 3).
std::string keras_shape(const tn::Shape& shape) {
    std::string s = "(";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + (shape[i] < 0 ? std::string("None") : std::to_string(shape[i]));
    return s + (shape.size() == 1 ? ",)" : ")");
}

std::string describe_inputs(const tn::Network& net) {
    std::string s;
    for (size_t i = 0; i < net.input_nodes().size(); ++i)
        s += (i ? ", " : "") + net.input_layer(i).name() + " " + keras_shape(net.input_layer(i).batch_input_shape());
    return s;
}

// The input files as tensors, each checked against its model input: rank, fixed sizes, samples.
std::vector<tn::Tensor> read_inputs(const tn::Network& net, const std::vector<std::string>& paths) {
    const size_t wanted = net.input_nodes().size();
    if (paths.size() != wanted)
        throw std::runtime_error("the model takes " + std::to_string(wanted) + " input" + (wanted == 1 ? "" : "s") + " (" +
                                 describe_inputs(net) + "), got " + std::to_string(paths.size()) + " file" +
                                 (paths.size() == 1 ? "" : "s"));
    std::vector<tn::Tensor> inputs;
    for (size_t i = 0; i < paths.size(); ++i) {
        const tn::InputLayer& in = net.input_layer(i);
        const tn::Shape& want = in.batch_input_shape();
        const tn::Tensor x = tn::read_tensor_file(paths[i], tn::Shape(want.begin() + (want.empty() ? 0 : 1), want.end()));
        bool fits = x.ndim() == static_cast<int64_t>(want.size()) && x.ndim() > 0;
        for (size_t a = 1; fits && a < want.size(); ++a) fits = want[a] < 0 || want[a] == x.shape()[a];
        if (!fits)
            throw tn::ShapeError(paths[i] + ": shape " + keras_shape(x.shape()) + " does not fit the model's input '" +
                                 in.name() + "' " + keras_shape(want) + " (the first axis counts the samples)");
        if (x.dim(0) == 0) throw tn::ShapeError(paths[i] + ": holds no samples (shape " + keras_shape(x.shape()) + ")");
        if (i > 0 && x.dim(0) != inputs[0].dim(0))
            throw tn::ShapeError(paths[i] + ": holds " + std::to_string(x.dim(0)) + " samples, " + paths[0] + " holds " +
                                 std::to_string(inputs[0].dim(0)));
        inputs.push_back(x);
    }
    return inputs;
}

// "y.npy" -> "y_1.npy": the file of output `i` when the model has several.
std::string output_path(const std::string& path, size_t i, size_t count) {
    if (count == 1) return path;
    const size_t dot = path.rfind('.');
    return path.substr(0, dot) + "_" + std::to_string(i) + path.substr(dot);
}

// A file name made from a layer name: letters, digits, '_', '-' and '.' kept (not leading '.'),
// anything else '_'; "_2", "_3", ... appended when the name is taken.
std::string file_stem(const std::string& name, std::set<std::string>& taken) {
    std::string stem;
    for (char c : name)
        stem += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || (c == '.' && !stem.empty()) ? c : '_';
    if (stem.empty()) stem = "attention";
    std::string unique = stem;
    for (int k = 2; !taken.insert(unique).second; ++k) unique = stem + "_" + std::to_string(k);
    return unique;
}

// The weights (N, T) of one Attention node: DIR/<stem>.npy and a heatmap of the first rows.
std::string write_attention(const tn::RecordedAttention& r, const std::string& dir, std::set<std::string>& taken) {
    std::string name = r.layer->name();
    if (r.node_index > 0) name += "_node" + std::to_string(r.node_index);
    const std::string stem = (std::filesystem::path(dir) / file_stem(name, taken)).string();
    tn::write_npy(stem + ".npy", r.weights);
    const int64_t n = r.weights.dim(0), t = r.weights.dim(1), rows = std::min(n, kHeatmapRows);
    tn::HeatmapPanel panel = tn::HeatmapPanel::from_tensor("attention weights", tn::take_rows(r.weights, [&] {
        std::vector<int64_t> first(static_cast<size_t>(rows));
        for (int64_t i = 0; i < rows; ++i) first[static_cast<size_t>(i)] = i;
        return first;
    }()));
    panel.fit_range();  // weights near 1/T are told apart by color, whatever T is
    tn::HeatmapStyle style;
    style.x_label = "time step";
    style.y_label = "sample";
    style.title = name + (rows < n ? ": samples 0-" + std::to_string(rows - 1) + " of " + std::to_string(n) : "");
    style.cell_px = static_cast<int>(std::clamp<int64_t>(1200 / std::max<int64_t>(t, 1), 4, 20));
    tn::write_png(tn::render_heatmap({panel}, style), stem + ".png");
    return stem + ".npy " + keras_shape(r.weights.shape()) + " and " + stem + ".png";
}

int predict(const PredictArgs& args) {
    std::unique_ptr<tn::Model> model = tn::load_model(args.model);
    const std::vector<tn::Tensor> inputs = read_inputs(*model, args.inputs);
    if (!args.attention_dir.empty() && !model->find<tn::Attention>())
        throw std::runtime_error(args.model + ": --attention: the model has no Attention layer");
    tn::AttentionRecorder recorder;
    const std::vector<tn::Tensor> outputs =
        model->predict(inputs, args.batch_size, args.attention_dir.empty() ? tn::NodeObserver() : recorder.observer());

    std::vector<std::string> wrote;
    for (size_t i = 0; i < outputs.size(); ++i) {
        if (args.output.empty()) {
            std::cout << tn::tensor_json_text(outputs[i]) << "\n";
            continue;
        }
        const std::string path = output_path(args.output, i, outputs.size());
        tn::write_tensor_file(path, outputs[i]);
        wrote.push_back(path + " " + keras_shape(outputs[i].shape()) + ": output '" + model->output_layer(i).name() + "'");
    }
    if (!args.attention_dir.empty()) {
        std::filesystem::create_directories(args.attention_dir);
        std::set<std::string> taken;
        for (const tn::RecordedAttention& r : recorder.recorded()) wrote.push_back(write_attention(r, args.attention_dir, taken));
    }
    for (const std::string& line : wrote) std::cerr << "tapenet-predict: wrote " << tn::terminal_safe(line) << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    PredictArgs args;
    try {
        args = parse_args(argc, argv);
    } catch (const UsageError& e) {
        if (argc == 1) std::fputs(kUsage, stderr);
        else std::cerr << "tapenet-predict: " << tn::terminal_safe(e.what()) << " (see tapenet-predict --help)\n";
        return 2;
    }
    try {
        return predict(args);
    } catch (const std::exception& e) {
        std::cerr << "tapenet-predict: " << tn::terminal_safe(e.what()) << "\n";
        return 1;
    }
}
