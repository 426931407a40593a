#include "io/checkpoint_files.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/rng.h"
#include "io/json_config.h"
#include "io/model_files.h"
#include "io/model_format.h"
#include "optim/optimizer.h"

namespace tn {

namespace {

using ordered_json = nlohmann::ordered_json;

const char* const kOptimizerGroup = "optimizer";


// ---- random generator states, as 16-digit hex strings (JSON numbers lose bits past 2^53) ----

ordered_json rng_json(const Rng& rng) {
    ordered_json out = ordered_json::array();
    for (uint64_t word : rng.state()) {
        char buf[17];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(word));
        out.push_back(buf);
    }
    return out;
}

void set_rng(Rng& rng, const ordered_json& j, const std::string& file, const std::string& what) {
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
std::optional<ordered_json> tfjs_optimizer_config(const Optimizer& opt) {
    const ordered_json c = optimizer_config_json(opt);
    const bool clipped = c.contains("global_clipnorm") && !c.at("global_clipnorm").is_null();
    if (clipped) return std::nullopt;  // TF.js' optimizers have no global clipping
    if (opt.class_name() == "Adam")
        return ordered_json::object({{"class_name", "Adam"},
                             {"config", ordered_json::object({{"learning_rate", c.at("learning_rate")},
                                                      {"beta_1", c.at("beta_1")},
                                                      {"beta_2", c.at("beta_2")},
                                                      {"epsilon", c.at("epsilon")}})}});
    if (opt.class_name() == "SGD" && c.value("momentum", 0.0) == 0.0)
        return ordered_json::object(
            {{"class_name", "SGD"}, {"config", ordered_json::object({{"learning_rate", c.at("learning_rate")}})}});
    return std::nullopt;
}

// TF.js writes camelCase optimizer configs (learningRate, beta1): the snake_case tapenet reads.
ordered_json snake_case_optimizer(ordered_json j) {
    static const std::map<std::string, std::string> renames = {{"learningRate", "learning_rate"}, {"beta1", "beta_1"},
                                                               {"beta2", "beta_2"},             {"useNesterov", "nesterov"},
                                                               {"use_nesterov", "nesterov"}};
    if (j.is_object() && j.contains("config") && j.at("config").is_object()) {
        ordered_json& c = j["config"];
        for (const auto& [from, to] : renames) {
            if (!c.contains(from) || c.contains(to)) continue;
            ordered_json value = c.at(from);  // a copy: adding the key `to` may move the members of c
            c[to] = std::move(value);
        }
    }
    return j;
}

// ---- the optimizer's state as manifest entries ----

// "iter", then for each slot the optimizer has used (in slot_names() order) one entry per model
// weight; a weight that has no such slot yet (no gradient so far) gets zeros, which is the state
// the optimizer would create for it.
std::vector<WeightEntry> optimizer_entries(const Network& model, const Optimizer& opt) {
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

// Refuses slot values the optimizer could never have produced: Adam's "v" and RMSprop's "rms"
// are running means of squared gradients, never negative (a negative one makes the step NaN).
void check_slot_values(const Tensor& value, const std::string& slot, const Optimizer& opt, const std::string& entry,
                       const std::string& file) {
    const bool squares = (opt.class_name() == "Adam" && slot == "v") || (opt.class_name() == "RMSprop" && slot == "rms");
    if (!squares) return;
    for (int64_t i = 0; i < value.numel(); ++i)
        if (value[i] < 0)
            format_error(file, "optimizer entry '" + entry + "' holds " + std::to_string(value[i]) + " at index " +
                                   std::to_string(i) + ", but " + opt.class_name() + "'s '" + slot +
                                   "' is a mean of squares and never negative");
}

// The inverse, matching by position as TF.js does: "iter", then groups of one entry per model
// weight; each group's slot is the last component of its names ("lstm/kernel/m" -> "m").
OptimizerState optimizer_state(const Network& model, const Optimizer& opt, const ModelFiles& files) {
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
            Tensor value = entry_tensor(e, files.path);
            check_slot_values(value, slot, opt, e.name, files.path);
            if (!state.slots.emplace(params[k].name + "/" + slot, std::move(value)).second)
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
// The tapenet block of a file, or an empty object.
ordered_json tapenet_block(const ModelFiles& files) {
    return files.tapenet ? *files.tapenet : ordered_json::object();
}


// The optimizer config the tapenet block records, checked as load_checkpoint would build it (an
// unknown Adam form, a config that is no object), also when the caller compiled the optimizer.
void check_saved_optimizer(const ordered_json& block, const std::string& file) {
    if (!block.contains("optimizer")) return;
    try {
        optimizer_from_json(snake_case_optimizer(block.at("optimizer")));
    } catch (const std::exception& e) {
        format_error(file, std::string("userDefinedMetadata.tapenet.optimizer: ") + e.what());
    }
}

}  // namespace

void require_checkpoint(const ModelFiles& files) {
    if (!files.epoch && !has_optimizer_entries(files))
        format_error(files.path, "is a model, not a checkpoint: it holds no optimizer state (load it with load_model)");
}

int apply_checkpoint(Network& network, TrainingState& state, const ModelFiles& files) {
    const ordered_json block = tapenet_block(files);
    const int epoch = static_cast<int>(files.epoch.value_or(0));
    Optimizer& opt = state.optimizer;
    if (block.contains("optimizer")) {
        const ordered_json& saved = block.at("optimizer");
        const bool named = saved.is_object() && saved.contains("class_name") && saved.at("class_name").is_string();
        const std::string name = named ? saved.at("class_name").get<std::string>() : "";
        if (name != opt.class_name())
            format_error(files.path, "holds the state of a " + (name.empty() ? saved.dump() : name) +
                                         " optimizer, but the model is compiled with " + opt.class_name());
    }
    check_saved_optimizer(block, files.path);
    const OptimizerState optimizer_state_read = optimizer_state(network, opt, files);

    // Random generators: the shuffling and each layer's (Dropout's masks).
    Rng shuffle = state.shuffle_rng;
    std::vector<std::pair<Rng*, Rng>> layer_rngs;
    // save_checkpoint always writes random_state with the epoch: without it the resume would not
    // be exact, so a tapenet checkpoint lacking it is refused. Files without an epoch (TF.js'
    // includeOptimizer saves) keep the model's own generators.
    if (files.epoch && !block.contains("random_state"))
        format_error(files.path, "is a tapenet checkpoint (epoch " + std::to_string(*files.epoch) +
                                     ") without userDefinedMetadata.tapenet.random_state: resuming from it would not "
                                     "be exact");
    if (block.contains("random_state")) {
        const ordered_json& rs = block.at("random_state");
        if (!rs.is_object() || !rs.contains("shuffle"))
            format_error(files.path, "userDefinedMetadata.tapenet.random_state must be {shuffle, layers}");
        set_rng(shuffle, rs.at("shuffle"), files.path, "random_state.shuffle");
        const ordered_json layers = rs.value("layers", ordered_json::object());
        if (!layers.is_object()) format_error(files.path, "random_state.layers must be an object");
        for (const auto& layer : network.layers()) {
            Rng* rng = layer->random_generator();
            if (!rng) continue;
            if (!layers.contains(layer->name()))
                format_error(files.path, "random_state.layers has no generator for layer '" + layer->name() + "'");
            Rng restored = *rng;
            set_rng(restored, layers.at(layer->name()), files.path, "random_state.layers." + layer->name());
            layer_rngs.emplace_back(rng, restored);
        }
    }

    opt.load_state(optimizer_state_read);
    state.shuffle_rng = shuffle;
    for (auto& [target, value] : layer_rngs) *target = value;
    return epoch;
}


namespace {

// The losses as a checkpoint writes them: one name when every output has the same loss with weight
// 1 (the form of a model of one output), else a list with the weights beside it; TF.js' names for
// trainingConfig, null when TF.js lacks one of them or a weight is not 1 (TF.js 4.22's
// loadTrainingConfig throws "Loading loss_weights is not supported yet").
struct LossesJson {
    ordered_json tapenet, tfjs, weights;
};

LossesJson losses_json(const TrainingState& state) {
    if (state.losses.empty() || state.losses.size() != state.loss_weights.size())
        value_error("save_checkpoint", "the model's losses and loss_weights do not pair up");
    const bool one = std::all_of(state.losses.begin(), state.losses.end(), [&](const std::string& l) { return l == state.losses[0]; }) &&
                     std::all_of(state.loss_weights.begin(), state.loss_weights.end(), [](float w) { return w == 1.0f; });
    LossesJson out;
    if (one) {
        out.tapenet = state.losses[0];
        if (const auto name = tfjs_loss_name(state.losses[0])) out.tfjs = *name;
        return out;
    }
    out.tapenet = state.losses;
    out.weights = state.loss_weights;
    if (std::any_of(state.loss_weights.begin(), state.loss_weights.end(), [](float w) { return w != 1.0f; })) return out;
    out.tfjs = ordered_json::array();
    for (const std::string& loss : state.losses) {
        const auto name = tfjs_loss_name(loss);
        if (!name) {
            out.tfjs = nullptr;
            break;
        }
        out.tfjs.push_back(*name);
    }
    return out;
}

// Reads a loss entry: a name, a list of names or an object of names by output.
void read_losses(const std::string& path, const ordered_json& j, CheckpointRecipe& recipe) {
    const auto bad = [&] {
        format_error(path, "its loss must be a name, a list of names or an object of names by output, got " + j.dump());
    };
    if (j.is_string()) {
        recipe.losses = {j.get<std::string>()};
    } else if (j.is_array() && !j.empty()) {
        for (const ordered_json& name : j) {
            if (!name.is_string()) bad();
            recipe.losses.push_back(name.get<std::string>());
        }
    } else if (j.is_object() && !j.empty()) {
        for (const auto& [output, name] : j.items()) {
            if (!name.is_string()) bad();
            recipe.losses_by_output[output] = name.get<std::string>();
        }
    } else {
        bad();
    }
}

// Reads loss_weights: a list of numbers (one per loss of a list) or an object by output.
void read_loss_weights(const std::string& path, const ordered_json& j, CheckpointRecipe& recipe) {
    const auto number = [&](const ordered_json& w) {
        if (!w.is_number() || !std::isfinite(w.get<double>()))
            format_error(path, "loss_weights must be finite numbers, got " + w.dump());
        return w.get<float>();
    };
    if (j.is_array() && !recipe.losses.empty()) {
        if (j.size() != recipe.losses.size())
            format_error(path, "names " + std::to_string(recipe.losses.size()) + " losses but " + std::to_string(j.size()) +
                                   " loss_weights");
        for (const ordered_json& w : j) recipe.loss_weights.push_back(number(w));
    } else if (j.is_object() && !recipe.losses_by_output.empty()) {
        for (const auto& [output, w] : j.items()) recipe.loss_weights_by_output[output] = number(w);
    } else {
        format_error(path, "loss_weights must be a list beside a list of losses, or an object beside an object, got " +
                               j.dump());
    }
}

}  // namespace

void write_checkpoint_files(const Network& network, const TrainingState& state, int epoch, const std::string& path) {
    if (epoch < 0) value_error("save_checkpoint", "epoch must be >= 0, got " + std::to_string(epoch));
    const Optimizer& opt = state.optimizer;
    ordered_json j = model_json_for(network);
    std::vector<WeightEntry> weights = model_weight_entries(network);
    for (WeightEntry& e : optimizer_entries(network, opt)) weights.push_back(std::move(e));

    ordered_json layers = ordered_json::object();
    for (const auto& layer : network.layers())
        if (const Rng* rng = layer->random_generator()) layers[layer->name()] = rng_json(*rng);
    const LossesJson losses = losses_json(state);
    ordered_json extra = {{"epoch", epoch}, {"seed", state.seed}, {"loss", losses.tapenet}};
    if (!losses.weights.is_null()) extra["loss_weights"] = losses.weights;
    extra["optimizer"] = {{"class_name", opt.class_name()}, {"config", optimizer_config_json(opt)}};
    extra["random_state"] = {{"shuffle", rng_json(state.shuffle_rng)}, {"layers", layers}};
    const auto optimizer = tfjs_optimizer_config(opt);
    if (!losses.tfjs.is_null() && optimizer)
        j["trainingConfig"] = {{"loss", losses.tfjs}, {"metrics", ordered_json::array()}, {"optimizer_config", *optimizer}};
    try {
        write_model_files(path, std::move(j), weights, extra);
    } catch (const std::invalid_argument&) {
        throw;
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("save_checkpoint: ") + e.what());
    }
}

CheckpointRecipe checkpoint_recipe(const ModelFiles& files) {
    const std::string& path = files.path;
    const ordered_json block = tapenet_block(files);
    const ordered_json& j = *files.model_json;
    const ordered_json training = j.contains("trainingConfig") ? j.at("trainingConfig") : ordered_json();

    const ordered_json optimizer_config = block.contains("optimizer") ? block.at("optimizer")
                                          : training.is_object() && training.contains("optimizer_config")
                                              ? training.at("optimizer_config")
                                              : ordered_json();
    // The loss and its weights come from the same place: the tapenet block, else trainingConfig.
    const ordered_json& losses_from = block.contains("loss") ? block : training;
    const bool has_loss = losses_from.is_object() && losses_from.contains("loss");
    if (optimizer_config.is_null()) format_error(path, "names no optimizer (userDefinedMetadata.tapenet.optimizer)");
    if (!has_loss) format_error(path, "names no loss (userDefinedMetadata.tapenet.loss)");

    CheckpointRecipe recipe;
    read_losses(path, losses_from.at("loss"), recipe);
    if (const auto w = losses_from.find("loss_weights"); w != losses_from.end() && !w->is_null())
        read_loss_weights(path, *w, recipe);
    if (const auto s = block.find("seed");
        s != block.end() && s->is_number_integer() && (s->is_number_unsigned() || s->get<int64_t>() >= 0))
        recipe.seed = s->get<uint64_t>();
    try {
        recipe.optimizer = optimizer_from_json(snake_case_optimizer(optimizer_config));
    } catch (const std::exception& e) {
        format_error(path, std::string("cannot compile the model it describes: ") + e.what());
    }
    return recipe;
}

}  // namespace tn
