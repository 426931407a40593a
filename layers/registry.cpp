#include "layers/registry.h"

#include <cmath>

#include "core/error.h"
#include "layers/attention.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/embedding.h"
#include "layers/lstm.h"

namespace tn {

namespace {

// Typed reads of one config key; `where` is e.g. "Dense config". Missing keys take the default,
// or throw when the key is required (no default given).
class ConfigReader {
public:
    ConfigReader(const std::string& class_name, const Json& config)
        : where_(class_name + " config"), config_(config) {
        if (!config.is_object()) value_error(where_, "must be a JSON object, got " + std::string(config.type_name()));
    }

    bool has(const char* key) const { return config_.contains(key) && !config_.at(key).is_null(); }

    int64_t integer(const char* key) const {
        const Json& v = required(key);
        if (v.is_number_integer()) return v.get<int64_t>();
        // Python writes 100.0 for a float that holds an integer; accept it, reject 2.5.
        if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() && std::abs(v.get<double>()) < 1e15)
            return static_cast<int64_t>(v.get<double>());
        wrong_type(key, "an integer", v);
    }
    int64_t integer(const char* key, int64_t fallback) const { return has(key) ? integer(key) : fallback; }

    double number(const char* key) const {
        const Json& v = required(key);
        if (!v.is_number()) wrong_type(key, "a number", v);
        return v.get<double>();
    }
    double number(const char* key, double fallback) const { return has(key) ? number(key) : fallback; }

    bool boolean(const char* key, bool fallback) const {
        if (!has(key)) return fallback;
        const Json& v = config_.at(key);
        if (!v.is_boolean()) wrong_type(key, "true or false", v);
        return v.get<bool>();
    }

    std::string string(const char* key, const std::string& fallback) const {
        if (!has(key)) return fallback;
        const Json& v = config_.at(key);
        if (!v.is_string()) wrong_type(key, "a string", v);
        return v.get<std::string>();
    }

    // Keras options tapenet does not implement: refuse a non-default value rather than silently
    // computing something else.
    void unsupported_if_true(const char* key) const {
        if (boolean(key, false))
            value_error(where_, "'" + std::string(key) + ": true' is not supported by tapenet");
    }

private:
    const Json& required(const char* key) const {
        if (!has(key)) value_error(where_, "missing required key '" + std::string(key) + "'");
        return config_.at(key);
    }
    [[noreturn]] void wrong_type(const char* key, const char* expected, const Json& v) const {
        value_error(where_, "'" + std::string(key) + "' must be " + expected + ", got " + v.dump());
    }

    std::string where_;
    const Json& config_;
};

std::unique_ptr<Layer> make_dense(const ConfigReader& c) {
    return std::make_unique<Dense>(c.integer("units"), c.string("activation", "linear"), c.boolean("use_bias", true));
}

std::unique_ptr<Layer> make_lstm(const ConfigReader& c) {
    for (const char* key : {"go_backwards", "stateful", "return_state", "time_major"}) c.unsupported_if_true(key);
    return std::make_unique<LSTM>(c.integer("units"), c.boolean("return_sequences", false),
                                  c.string("activation", "tanh"), c.string("recurrent_activation", "sigmoid"),
                                  c.boolean("use_bias", true), c.boolean("unit_forget_bias", true));
}

std::unique_ptr<Layer> make_attention(const ConfigReader& c) {
    // keras.layers.Attention (dot-product, Keras' own) shares the class name but not the math.
    if (!c.has("units") && (c.has("score_mode") || c.has("use_scale")))
        value_error("Attention config", "this is Keras' built-in dot-product Attention (score_mode/use_scale), "
                                        "not keras-attention's Attention(units, score), which tapenet implements");
    return std::make_unique<Attention>(c.integer("units", 128), c.string("score", "luong"));
}

std::unique_ptr<Layer> make_embedding(const ConfigReader& c) {
    return std::make_unique<Embedding>(c.integer("input_dim"), c.integer("output_dim"), c.boolean("mask_zero", false));
}

std::unique_ptr<Layer> make_dropout(const ConfigReader& c) { return std::make_unique<Dropout>(c.number("rate")); }

struct Factory {
    const char* class_name;
    std::unique_ptr<Layer> (*make)(const ConfigReader&);
};

constexpr Factory kFactories[] = {
    {"Attention", make_attention}, {"Dense", make_dense}, {"Dropout", make_dropout},
    {"Embedding", make_embedding}, {"LSTM", make_lstm},
};

}  // namespace

const std::vector<std::string>& known_layer_classes() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto& f : kFactories) v.push_back(f.class_name);
        return v;
    }();
    return names;
}

std::unique_ptr<Layer> layer_from_config(const std::string& class_name, const Json& config) {
    for (const auto& f : kFactories) {
        if (class_name != f.class_name) continue;
        const ConfigReader reader(class_name, config);
        std::unique_ptr<Layer> layer = f.make(reader);
        const std::string name = reader.string("name", "");
        if (!name.empty()) layer->set_name(name);
        return layer;
    }
    std::string known;
    for (const auto& f : kFactories) known += std::string(known.empty() ? "" : ", ") + f.class_name;
    value_error("layer registry", "unknown layer class '" + class_name + "'; known classes are: " + known);
}

}  // namespace tn
