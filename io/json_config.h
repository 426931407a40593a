// tapenet io: layer and optimizer configs as JSON objects (nlohmann::ordered_json, which keeps the
// keys in the order they were written, as Keras writes them).
//
//   nlohmann::ordered_json j = tn::layer_config_json(dense);   // {"name": "dense", "units": 8, ...}
//   std::unique_ptr<tn::Layer> again = tn::layer_from_json("Dense", j);
//
// JsonConfigWriter and JsonConfigReader implement core/config.h's interfaces over one JSON object;
// the layers and optimizers never see JSON. A reader's errors are tn::ValueErrors that start with
// its `where` ("Dense config: 'units' must be an integer, got \"8\"").
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/config.h"
#include "layers/registry.h"

namespace tn {

class Layer;
class Optimizer;

class JsonConfigWriter : public ConfigWriter {
public:
    explicit JsonConfigWriter(nlohmann::ordered_json& out) : out_(out) {}
    void integer(std::string_view key, int64_t value) override;
    void number(std::string_view key, double value) override;
    void boolean(std::string_view key, bool value) override;
    void text(std::string_view key, std::string_view value) override;
    void null(std::string_view key) override;
    void integers(std::string_view key, const std::vector<int64_t>& values) override;
    void shape(std::string_view key, const std::vector<int64_t>& values) override;
    void object(std::string_view key, const std::function<void(ConfigWriter&)>& fill) override;

private:
    nlohmann::ordered_json& out_;
};

class JsonConfigReader : public ConfigReader {
public:
    // `config` must outlive the reader; a value that is not an object throws here.
    JsonConfigReader(const nlohmann::ordered_json& config, std::string where);
    const std::string& where() const override { return where_; }
    bool has(std::string_view key) const override;
    int64_t integer(std::string_view key) const override;
    double number(std::string_view key) const override;
    bool boolean(std::string_view key) const override;
    std::string text(std::string_view key) const override;
    std::vector<int64_t> integers(std::string_view key) const override;
    std::unique_ptr<ConfigReader> object(std::string_view key) const override;
    bool is_null(std::string_view key) const override;
    using ConfigReader::boolean;
    using ConfigReader::integer;
    using ConfigReader::number;
    using ConfigReader::text;

private:
    const nlohmann::ordered_json& required(std::string_view key) const;
    [[noreturn]] void wrong_type(std::string_view key, const char* expected, const nlohmann::ordered_json& v) const;

    const nlohmann::ordered_json& config_;
    std::string where_;
};

// {"name": ..., <the class' keys>}: the layer's name and its get_config.
nlohmann::ordered_json layer_config_json(const Layer& layer);
// layer_from_config over a JSON object (errors start with "<class_name> config").
std::unique_ptr<Layer> layer_from_json(const std::string& class_name, const nlohmann::ordered_json& config,
                                       const CustomLayers& custom = {});

// The optimizer's get_config as an object ({"name": "Adam", "learning_rate": 0.001, ...}).
nlohmann::ordered_json optimizer_config_json(const Optimizer& optimizer);
// optimizer_from_config over {"class_name": "Adam", "config": {...}}, or over a config that carries
// "name": "Adam" (what optimizer_config_json writes).
std::unique_ptr<Optimizer> optimizer_from_json(const nlohmann::ordered_json& j);

}  // namespace tn
