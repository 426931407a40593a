#include "examples/metrics.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "io/atomic_file.h"

namespace tn::examples {

namespace {

template <class T>
std::string json_text(const T& value) {
    return nlohmann::ordered_json(value).dump();
}

std::string object_text(const std::vector<std::pair<std::string, MetricValue>>& entries) {
    std::string text = "{";
    for (const auto& [key, value] : entries) {
        if (text.size() > 1) text += ",";
        text += json_text(key) + ":" + value.json();
    }
    return text + "}";
}

}  // namespace

MetricValue::MetricValue(double v) : json_(json_text(v)) {}  // NaN and inf become null, as JSON has no such numbers
MetricValue::MetricValue(const char* s) : json_(json_text(std::string(s))) {}
MetricValue::MetricValue(const std::string& s) : json_(json_text(s)) {}
MetricValue::MetricValue(const std::vector<std::string>& values) : json_(json_text(values)) {}
MetricValue::MetricValue(const Metrics& object) : json_(object.json()) {}
MetricValue::MetricValue(std::initializer_list<std::pair<std::string, MetricValue>> object)
    : json_(object_text({object.begin(), object.end()})) {}

MetricValue::MetricValue(const std::vector<Metrics>& objects) {
    json_ = "[";
    for (const Metrics& m : objects) json_ += (json_.size() > 1 ? "," : "") + m.json();
    json_ += "]";
}

MetricValue& Metrics::operator[](const std::string& key) {
    for (auto& [k, value] : entries_)
        if (k == key) return value;
    entries_.emplace_back(key, MetricValue());
    return entries_.back().second;
}

std::string Metrics::json() const { return object_text(entries_); }

// The values were rendered compact as they were set; one parse re-indents the whole object.
std::string Metrics::pretty() const { return nlohmann::ordered_json::parse(json()).dump(2); }

std::string write_metrics(const std::string& dir, const Metrics& metrics) {
    const std::string path = (std::filesystem::path(dir) / "metrics.json").string();
    tn::write_file_atomically(path, metrics.pretty() + "\n");
    return path;
}

}  // namespace tn::examples
