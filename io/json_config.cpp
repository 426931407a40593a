#include "io/json_config.h"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "layers/layer.h"
#include "optim/optimizer.h"

namespace tn {

using ordered_json = nlohmann::ordered_json;

// ---- writing ----

void JsonConfigWriter::integer(std::string_view key, int64_t value) { out_[std::string(key)] = value; }
void JsonConfigWriter::number(std::string_view key, double value) { out_[std::string(key)] = value; }
void JsonConfigWriter::boolean(std::string_view key, bool value) { out_[std::string(key)] = value; }
void JsonConfigWriter::text(std::string_view key, std::string_view value) { out_[std::string(key)] = value; }
void JsonConfigWriter::null(std::string_view key) { out_[std::string(key)] = nullptr; }
void JsonConfigWriter::integers(std::string_view key, const std::vector<int64_t>& values) {
    out_[std::string(key)] = values;
}
void JsonConfigWriter::shape(std::string_view key, const std::vector<int64_t>& values) {
    ordered_json list = ordered_json::array();
    for (int64_t v : values) list.push_back(v < 0 ? ordered_json() : ordered_json(v));
    out_[std::string(key)] = std::move(list);
}

void JsonConfigWriter::object(std::string_view key, const std::function<void(ConfigWriter&)>& fill) {
    ordered_json inner = ordered_json::object();
    JsonConfigWriter writer(inner);
    fill(writer);
    out_[std::string(key)] = std::move(inner);
}

// ---- reading ----

JsonConfigReader::JsonConfigReader(const ordered_json& config, std::string where)
    : config_(config), where_(std::move(where)) {
    if (!config.is_object()) fail(std::string("must be a JSON object, got ") + config.type_name());
}

bool JsonConfigReader::has(std::string_view key) const {
    const auto it = config_.find(std::string(key));
    return it != config_.end() && !it->is_null();
}

const ordered_json& JsonConfigReader::required(std::string_view key) const {
    if (!has(key)) fail("missing required key '" + std::string(key) + "'");
    return *config_.find(std::string(key));
}

void JsonConfigReader::wrong_type(std::string_view key, const char* expected, const ordered_json& v) const {
    fail("'" + std::string(key) + "' must be " + expected + ", got " + v.dump());
}

int64_t JsonConfigReader::integer(std::string_view key) const {
    const ordered_json& v = required(key);
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        wrong_type(key, "an integer that fits in 64 bits", v);
    if (v.is_number_integer()) return v.get<int64_t>();
    // Python writes 100.0 for a float that holds an integer; accept it, refuse 2.5.
    constexpr double kLimit = 9.2e18;  // inside int64's range
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (std::floor(d) == d && std::abs(d) < kLimit) return static_cast<int64_t>(d);
    }
    wrong_type(key, "an integer", v);
}

double JsonConfigReader::number(std::string_view key) const {
    const ordered_json& v = required(key);
    if (!v.is_number()) wrong_type(key, "a number", v);
    return v.get<double>();
}

bool JsonConfigReader::boolean(std::string_view key) const {
    const ordered_json& v = required(key);
    if (!v.is_boolean()) wrong_type(key, "true or false", v);
    return v.get<bool>();
}

std::string JsonConfigReader::text(std::string_view key) const {
    const ordered_json& v = required(key);
    if (!v.is_string()) wrong_type(key, "a string", v);
    return v.get<std::string>();
}

std::unique_ptr<ConfigReader> JsonConfigReader::object(std::string_view key) const {
    const ordered_json& v = required(key);
    if (!v.is_object()) wrong_type(key, "an object", v);
    return std::make_unique<JsonConfigReader>(v, where_ + " '" + std::string(key) + "'");
}

std::vector<int64_t> JsonConfigReader::integers(std::string_view key) const {
    const ordered_json& v = required(key);
    if (v.is_number_integer()) return {v.get<int64_t>()};
    if (!v.is_array() || v.size() > 64) wrong_type(key, "a list of at most 64 integers", v);
    std::vector<int64_t> out;
    for (const ordered_json& e : v) {
        if (e.is_null()) out.push_back(-1);
        else if (e.is_number_integer() && e.get<int64_t>() >= -1 && e.get<int64_t>() <= (int64_t{1} << 40)) out.push_back(e.get<int64_t>());
        else wrong_type(key, "a list of integers", v);
    }
    return out;
}

bool JsonConfigReader::is_null(std::string_view key) const {
    const auto it = config_.find(std::string(key));
    return it != config_.end() && it->is_null();
}

// ---- layers and optimizers ----

ordered_json layer_config_json(const Layer& layer) {
    ordered_json j = ordered_json::object({{"name", layer.name()}});
    JsonConfigWriter writer(j);
    layer.get_config(writer);
    return j;
}

std::unique_ptr<Layer> layer_from_json(const std::string& class_name, const ordered_json& config,
                                       const CustomLayers& custom) {
    const JsonConfigReader reader(config, class_name + " config");
    return layer_from_config(class_name, reader, custom);
}

ordered_json optimizer_config_json(const Optimizer& optimizer) {
    ordered_json j = ordered_json::object();
    JsonConfigWriter writer(j);
    optimizer.get_config(writer);
    return j;
}

std::unique_ptr<Optimizer> optimizer_from_json(const ordered_json& j) {
    if (!j.is_object()) value_error("optimizer_from_json", std::string("needs a JSON object, got ") + j.type_name());
    const bool wrapped = j.contains("config");
    const ordered_json& config = wrapped ? j.at("config") : j;
    const JsonConfigReader outer(j, "optimizer");
    const std::string name = outer.has("class_name") ? outer.text("class_name")
                                                      : JsonConfigReader(config, "optimizer config").text("name", "");
    const JsonConfigReader reader(config, name + " config");
    return optimizer_from_config(name, reader);
}

}  // namespace tn
