#include "examples/metrics.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "io/atomic_file.h"

namespace tn::examples {

namespace {

// A JSON string, escaped as nlohmann's dump() escapes it: ", \ and control characters; other
// bytes (UTF-8 included) as they are.
std::string string_text(const std::string& s) {
    std::string text = "\"";
    for (const char c : s) {
        switch (c) {
            case '"': text += "\\\""; break;
            case '\\': text += "\\\\"; break;
            case '\b': text += "\\b"; break;
            case '\f': text += "\\f"; break;
            case '\n': text += "\\n"; break;
            case '\r': text += "\\r"; break;
            case '\t': text += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                    text += buf;
                } else {
                    text += c;
                }
        }
    }
    return text + "\"";
}

// A double in the shortest digits that read back to the same value (std::to_chars), with ".0"
// on a whole number so that it reads as a float, and null for NaN and infinities, which JSON has
// no numbers for.
std::string number_text(double v) {
    if (!std::isfinite(v)) return "null";
    char buf[64];
    const std::string text(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
    return text.find_first_of(".e") == std::string::npos ? text + ".0" : text;
}

std::string object_text(const std::vector<std::pair<std::string, MetricValue>>& entries) {
    std::string text = "{";
    for (const auto& [key, value] : entries) {
        if (text.size() > 1) text += ",";
        text += string_text(key) + ":" + value.json();
    }
    return text + "}";
}

// Compact JSON text re-indented by 2 as nlohmann's dump(2) writes it: one member or element per
// line, "key": value, and {} or [] for an empty object or list.
std::string indented(const std::string& compact) {
    std::string out;
    int depth = 0;
    bool in_string = false;
    const auto new_line = [&] { out += "\n" + std::string(2 * depth, ' '); };
    for (size_t i = 0; i < compact.size(); ++i) {
        const char c = compact[i];
        if (in_string) {
            out += c;
            if (c == '\\') out += compact[++i];  // the escaped character, which may be a quote
            else if (c == '"') in_string = false;
            continue;
        }
        switch (c) {
            case '"':
                in_string = true;
                out += c;
                break;
            case '{':
            case '[':
                out += c;
                if (i + 1 < compact.size() && (compact[i + 1] == '}' || compact[i + 1] == ']')) {
                    out += compact[++i];  // empty
                } else {
                    ++depth;
                    new_line();
                }
                break;
            case '}':
            case ']':
                --depth;
                new_line();
                out += c;
                break;
            case ',':
                out += c;
                new_line();
                break;
            case ':':
                out += ": ";
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace

MetricValue::MetricValue(double v) : json_(number_text(v)) {}
MetricValue::MetricValue(const char* s) : json_(string_text(s)) {}
MetricValue::MetricValue(const std::string& s) : json_(string_text(s)) {}

MetricValue::MetricValue(const std::vector<std::string>& values) : json_("[") {
    for (const std::string& s : values) json_ += (json_.size() > 1 ? "," : "") + string_text(s);
    json_ += "]";
}

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

std::string Metrics::pretty() const { return indented(json()); }

std::string write_metrics(const std::string& dir, const Metrics& metrics) {
    const std::string path = (std::filesystem::path(dir) / "metrics.json").string();
    tn::write_file_atomically(path, metrics.pretty() + "\n");
    return path;
}

}  // namespace tn::examples
