#include "train/checkpoint.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <limits>
#include <map>
#include <utility>

#include "core/error.h"
#include "core/rng.h"
#include "io/model_files.h"
#include "io/model_format.h"
#include "optim/loss.h"

namespace tn {

namespace {

const char* const kOptimizerGroup = "optimizer";


// ---- random generator states, as 16-digit hex strings (JSON numbers lose bits past 2^53) ----

Json rng_json(const Rng& rng) {
    Json out = Json::array();
    for (uint64_t word : rng.state()) {
        char buf[17];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(word));
        out.push_back(buf);
    }
    return out;
}

void set_rng(Rng& rng, const Json& j, const std::string& file, const std::string& what) {
    std::array<uint64_t, 6> words{};
    if (!j.is_array() || j.size() != words.size())
        format_error(file, what + " must be a list of 6 hex strings, got " + j.dump());
    for (size_t i = 0; i < words.size(); ++i) {
        const std::string s = j[i].is_string() ? j[i].get<std::string>() : "";
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), words[i], 16);
        if (s.empty() || s.size() > 16 || ec != std::errc() || end != s.data() + s.size())
            format_error(file, what + "[" + std::to_string(i) + "] must be a hex string, got " + j[i].dump());
    }
    try {
        rng.set_state(words);
    } catch (const std::exception& e) {
        format_error(file, what + ": " + e.what());
    }
}

// ---- TF.js' names for tapenet's losses and optimizers (trainingConfig) ----

std::optional<std::string> tfjs_loss_name(const std::string& loss) {
    if (loss == "mse" || loss == "mean_squared_error") return "mean_squared_error";
    if (loss == "mae" || loss == "mean_absolute_error") return "mean_absolute_error";
    if (loss == "binary_crossentropy" || loss == "sparse_categorical_crossentropy") return loss;
    return std::nullopt;
}

// The optimizer_config TF.js can rebuild with the same meaning, if there is one.
std::optional<Json> tfjs_optimizer_config(const Optimizer& opt) {
    const Json c = opt.config();
    const bool clipped = c.contains("global_clipnorm") && !c.at("global_clipnorm").is_null();
    if (clipped) return std::nullopt;  // TF.js' optimizers have no global clipping
    if (opt.class_name() == "Adam")
        return Json::object({{"class_name", "Adam"},
                             {"config", Json::object({{"learning_rate", c.at("learning_rate")},
                                                      {"beta_1", c.at("beta_1")},
                                                      {"beta_2", c.at("beta_2")},
                                                      {"epsilon", c.at("epsilon")}})}});
    if (opt.class_name() == "SGD" && c.value("momentum", 0.0) == 0.0)
        return Json::object(
            {{"class_name", "SGD"}, {"config", Json::object({{"learning_rate", c.at("learning_rate")}})}});
    return std::nullopt;
}

// TF.js writes camelCase optimizer configs (learningRate, beta1): the snake_case tapenet reads.
Json snake_case_optimizer(Json j) {
    static const std::map<std::string, std::string> renames = {{"learningRate", "learning_rate"}, {"beta1", "beta_1"},
                                                               {"beta2", "beta_2"},             {"useNesterov", "nesterov"},
                                                               {"use_nesterov", "nesterov"}};
    if (j.is_object() && j.contains("config") && j.at("config").is_object()) {
        Json& c = j["config"];
        for (const auto& [from, to] : renames) {
            if (!c.contains(from) || c.contains(to)) continue;
            Json value = c.at(from);  // a copy: adding the key `to` may move the members of c
            c[to] = std::move(value);
        }
    }
    return j;
}

// ---- the optimizer's state as manifest entries ----

// "iter", then for each slot the optimizer has used (in slot_names() order) one entry per model
// weight; a weight that has no such slot yet (no gradient so far) gets zeros, which is the state
// the optimizer would create for it.
std::vector<WeightEntry> optimizer_entries(const Model& model, const Optimizer& opt) {
    const OptimizerState state = opt.state();
    if (state.iterations > std::numeric_limits<int32_t>::max())
        value_error("save_checkpoint", "the optimizer's step count " + std::to_string(state.iterations) +
                                           " does not fit the format's int32 'iter'");
    std::vector<WeightEntry> entries = {int32_entry("iter", static_cast<int32_t>(state.iterations), kOptimizerGroup)};
    const std::vector<Param> params = model.params();
    for (const std::string& slot : opt.slot_names()) {
        bool used = false;
        for (const auto& [key, t] : state.slots) used |= key.ends_with("/" + slot);
        if (!used) continue;
        for (const Param& p : params) {
            const auto it = state.slots.find(p.name + "/" + slot);
            entries.push_back(float_entry(p.name + "/" + slot, it != state.slots.end() ? it->second
                                                                                        : Tensor::zeros(p.value.shape()),
                                          kOptimizerGroup));
        }
    }
    return entries;
}

// The inverse, matching by position as TF.js does: "iter", then groups of one entry per model
// weight; each group's slot is the last component of its names ("lstm/kernel/m" -> "m").
OptimizerState optimizer_state(const Model& model, const Optimizer& opt, const ModelFiles& files) {
    std::vector<const WeightEntry*> entries;
    for (const WeightEntry& e : files.weights)
        if (e.group == kOptimizerGroup) entries.push_back(&e);
    OptimizerState state;
    if (entries.empty()) return state;  // a model saved without optimizer state: a fresh optimizer
    state.iterations = entry_integer(*entries.front(), files.path);
    if (state.iterations < 0) format_error(files.path, "optimizer 'iter' is negative: " + std::to_string(state.iterations));
    const std::vector<Param> params = model.params();
    const size_t rest = entries.size() - 1;
    if (params.empty() || rest % params.size() != 0)
        format_error(files.path, "the optimizer group holds " + std::to_string(rest) + " entries after 'iter', not a " +
                                     "multiple of the model's " + std::to_string(params.size()) + " weights");
    const std::vector<std::string> known = opt.slot_names();
    for (size_t g = 0; g < rest / params.size(); ++g) {
        for (size_t k = 0; k < params.size(); ++k) {
            const WeightEntry& e = *entries[1 + g * params.size() + k];
            const std::string slot = e.name.substr(e.name.rfind('/') + 1);
            if (std::find(known.begin(), known.end(), slot) == known.end())
                format_error(files.path, "optimizer entry '" + e.name + "' is no slot of " + opt.class_name());
            if (e.shape != params[k].value.shape())
                format_error(files.path, "optimizer entry '" + e.name + "' has shape " + shape_str(e.shape) +
                                             " but it stands for weight '" + params[k].name + "' of shape " +
                                             shape_str(params[k].value.shape()));
            if (!state.slots.emplace(params[k].name + "/" + slot, entry_tensor(e, files.path)).second)
                format_error(files.path, "optimizer slot '" + slot + "' of '" + params[k].name + "' is listed twice");
        }
    }
    return state;
}

bool has_optimizer_entries(const ModelFiles& files) {
    return std::any_of(files.weights.begin(), files.weights.end(),
                       [](const WeightEntry& e) { return e.group == kOptimizerGroup; });
}

// The epoch a checkpoint records (0 when it has none: a TF.js save with includeOptimizer).
int checkpoint_epoch(const ModelFiles& files) {
    if (!files.tapenet.is_object() || !files.tapenet.contains("epoch")) return 0;
    const Json& epoch = files.tapenet.at("epoch");
    if (!epoch.is_number_integer() || epoch.get<int64_t>() < 0 || epoch.get<int64_t>() > 1'000'000'000)
        format_error(files.path, "userDefinedMetadata.tapenet.epoch must be a non-negative integer, got " + epoch.dump());
    return static_cast<int>(epoch.get<int64_t>());
}

void require_checkpoint(const ModelFiles& files) {
    const bool has_epoch = files.tapenet.is_object() && files.tapenet.contains("epoch");
    if (!has_epoch && !has_optimizer_entries(files))
        format_error(files.path, "is a model, not a checkpoint: it holds no optimizer state (load it with load_model)");
}

// Everything after the weights: the optimizer's state and the random generators. Checks all of
// it before changing anything.
int apply_checkpoint(Model& model, const ModelFiles& files) {
    const Json block = files.tapenet.is_object() ? files.tapenet : Json::object();
    const int epoch = checkpoint_epoch(files);
    Optimizer& opt = model.optimizer();
    if (block.contains("optimizer")) {
        const Json& saved = block.at("optimizer");
        const bool named = saved.is_object() && saved.contains("class_name") && saved.at("class_name").is_string();
        const std::string name = named ? saved.at("class_name").get<std::string>() : "";
        if (name != opt.class_name())
            format_error(files.path, "holds the state of a " + (name.empty() ? saved.dump() : name) +
                                         " optimizer, but the model is compiled with " + opt.class_name());
    }
    const OptimizerState state = optimizer_state(model, opt, files);

    // Random generators: the shuffling and each layer's (Dropout's masks).
    Rng shuffle = model.shuffle_rng();
    std::vector<std::pair<Rng*, Rng>> layer_rngs;
    if (block.contains("random_state")) {
        const Json& rs = block.at("random_state");
        if (!rs.is_object() || !rs.contains("shuffle"))
            format_error(files.path, "userDefinedMetadata.tapenet.random_state must be {shuffle, layers}");
        set_rng(shuffle, rs.at("shuffle"), files.path, "random_state.shuffle");
        const Json layers = rs.value("layers", Json::object());
        if (!layers.is_object()) format_error(files.path, "random_state.layers must be an object");
        for (const auto& layer : model.layers()) {
            Rng* rng = layer->random_generator();
            if (!rng) continue;
            if (!layers.contains(layer->name()))
                format_error(files.path, "random_state.layers has no generator for layer '" + layer->name() + "'");
            Rng restored = *rng;
            set_rng(restored, layers.at(layer->name()), files.path, "random_state.layers." + layer->name());
            layer_rngs.emplace_back(rng, restored);
        }
    }

    opt.load_state(state);
    model.shuffle_rng() = shuffle;
    for (auto& [target, value] : layer_rngs) *target = value;
    return epoch;
}

}  // namespace

void save_checkpoint(Model& model, int epoch, const std::string& path) {
    if (epoch < 0) value_error("save_checkpoint", "epoch must be >= 0, got " + std::to_string(epoch));
    if (!model.compiled())
        value_error("save_checkpoint", "the model is not compiled: a checkpoint holds the optimizer's state");
    Optimizer& opt = model.optimizer();
    Json j = model_json_for(model);
    std::vector<WeightEntry> weights = model_weight_entries(model);
    for (WeightEntry& e : optimizer_entries(model, opt)) weights.push_back(std::move(e));

    Json layers = Json::object();
    for (const auto& layer : model.layers())
        if (const Rng* rng = layer->random_generator()) layers[layer->name()] = rng_json(*rng);
    const Json extra = Json::object(
        {{"epoch", epoch},
         {"seed", model.seed()},
         {"loss", model.loss().name},
         {"optimizer", Json::object({{"class_name", opt.class_name()}, {"config", opt.config()}})},
         {"random_state", Json::object({{"shuffle", rng_json(model.shuffle_rng())}, {"layers", layers}})}});
    const auto loss = tfjs_loss_name(model.loss().name);
    const auto optimizer = tfjs_optimizer_config(opt);
    if (loss && optimizer)
        j["trainingConfig"] =
            Json::object({{"loss", *loss}, {"metrics", Json::array()}, {"optimizer_config", *optimizer}});
    try {
        write_model_files(path, std::move(j), weights, extra);
    } catch (const std::invalid_argument&) {
        throw;
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("save_checkpoint: ") + e.what());
    }
}

Checkpoint load_checkpoint(const std::string& path) {
    const ModelFiles files = read_model_files(path);
    require_checkpoint(files);
    const Json block = files.tapenet.is_object() ? files.tapenet : Json::object();
    const Json& training = files.model_json.contains("trainingConfig") ? files.model_json.at("trainingConfig") : Json();

    Json optimizer_config = block.contains("optimizer") ? block.at("optimizer")
                            : training.is_object() && training.contains("optimizer_config")
                                ? training.at("optimizer_config")
                                : Json();
    const Json loss_name = block.contains("loss") ? block.at("loss")
                           : training.is_object() && training.contains("loss") ? training.at("loss")
                                                                                 : Json();
    if (optimizer_config.is_null()) format_error(path, "names no optimizer (userDefinedMetadata.tapenet.optimizer)");
    if (!loss_name.is_string()) format_error(path, "names no loss (userDefinedMetadata.tapenet.loss)");

    uint64_t seed = 0;
    if (const Json* s = block.find("seed"); s && s->is_number_integer() && (s->is_number_unsigned() || s->get<int64_t>() >= 0))
        seed = s->get<uint64_t>();
    Checkpoint c;
    c.model = std::make_unique<Model>(seed);
    build_from_topology(*c.model, files);
    assign_weights(*c.model, files);
    try {
        c.model->compile(loss_by_name(loss_name.get<std::string>()),
                         optimizer_from_config(snake_case_optimizer(optimizer_config)));
    } catch (const std::exception& e) {
        format_error(path, std::string("cannot compile the model it describes: ") + e.what() +
                               " (for a custom loss, compile the model yourself and use restore_checkpoint)");
    }
    c.epoch = apply_checkpoint(*c.model, files);
    return c;
}

int restore_checkpoint(Model& model, const std::string& path) {
    if (!model.compiled())
        value_error("restore_checkpoint", "compile the model first: the optimizer state is restored into it");
    const ModelFiles files = read_model_files(path);
    require_checkpoint(files);
    if (!model.built()) {
        Network saved;
        build_from_topology(saved, files);
        model.build(saved.input_shape());
    }
    // Weights are checked in full before any is written; then the rest is checked the same way.
    // A failure in the second step would leave new weights with the old optimizer state, so the
    // weights are saved first and put back.
    std::vector<Tensor> before;
    for (const Param& p : model.params()) before.push_back(p.value.clone());
    assign_weights(model, files);
    try {
        return apply_checkpoint(model, files);
    } catch (...) {
        std::vector<Param> params = model.params();
        for (size_t i = 0; i < params.size(); ++i)
            std::copy(before[i].data(), before[i].data() + before[i].numel(), params[i].value.data());
        throw;
    }
}

}  // namespace tn
