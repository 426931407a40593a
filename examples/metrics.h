// tapenet examples: metrics.json, built as an ordered object of named values.
//
//   tn::examples::Metrics metrics = {
//       {"example", "find_max"},
//       {"val_mae", 0.0024},
//       {"history", {{"loss", history.loss}, {"val_mae", history.val_loss}}},   // a nested object
//   };
//   metrics["wall_seconds"] = seconds;                                   // adds (or replaces) a key
//   tn::examples::write_metrics(args.out, metrics);                      // DIR/metrics.json
//
// Each value is turned into JSON text when it is made (examples/common/metrics.cpp), laid out as
// nlohmann/json's dump(2) lays it out. Nothing here includes nlohmann/json.hpp: that keeps the examples,
// and metrics.cpp itself, quick to compile.
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace tn::examples {

class Metrics;

// One JSON value: a number, a bool, a string, a list of numbers or strings, or an object.
class MetricValue {
public:
    MetricValue() : json_("null") {}
    template <std::integral Int>
    MetricValue(Int v) : json_(std::same_as<Int, bool> ? (v ? "true" : "false") : std::to_string(v)) {}
    MetricValue(double v);
    MetricValue(const char* s);
    MetricValue(const std::string& s);
    template <class Number>
        requires std::integral<Number> || std::floating_point<Number>
    MetricValue(const std::vector<Number>& values) : json_("[") {
        for (const Number& v : values) json_ += (json_.size() > 1 ? "," : "") + MetricValue(v).json_;
        json_ += "]";
    }
    MetricValue(const std::vector<std::string>& values);
    MetricValue(const Metrics& object);
    MetricValue(const std::vector<Metrics>& objects);
    MetricValue(std::initializer_list<std::pair<std::string, MetricValue>> object);

    const std::string& json() const { return json_; }  // compact JSON text

private:
    std::string json_;
};

// A JSON object whose keys keep the order they were added in.
class Metrics {
public:
    Metrics() = default;
    Metrics(std::initializer_list<std::pair<std::string, MetricValue>> entries) : entries_(entries) {}

    MetricValue& operator[](const std::string& key);  // the value of `key`, added as null if absent
    std::string json() const;                          // compact
    std::string pretty() const;                        // indented by 2, as metrics.json is written

private:
    std::vector<std::pair<std::string, MetricValue>> entries_;
};

// Writes DIR/metrics.json (atomically: a reader never sees half a file) and returns its path.
std::string write_metrics(const std::string& dir, const Metrics& metrics);

}  // namespace tn::examples
