// tapenet core: ConfigWriter and ConfigReader, through which a layer or an optimizer writes and reads
// its Keras config without knowing the file format. io/ implements both over JSON (io/json_config.h);
// a test can implement them over anything.
//
//   void Dense::get_config(ConfigWriter& c) const {          // the keys in Keras' order
//       c.integer("units", units_);
//       c.text("activation", activation_name(activation_));
//       c.boolean("use_bias", use_bias_);
//   }
//   std::unique_ptr<Layer> Dense::from_config(const ConfigReader& c) {
//       return std::make_unique<Dense>(c.integer("units"), c.text("activation", "linear"), c.boolean("use_bias", true));
//   }
//
// A reader ignores keys nobody asks for (Keras and TensorFlow.js write many that tapenet does not
// use). A missing required key, a value of the wrong type or a non-default value of an option
// tapenet does not implement throws a tn::ValueError that starts with where() ("Dense config: ...").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tn {

class ConfigWriter {
public:
    virtual ~ConfigWriter() = default;
    virtual void integer(std::string_view key, int64_t value) = 0;
    virtual void number(std::string_view key, double value) = 0;
    virtual void boolean(std::string_view key, bool value) = 0;
    virtual void text(std::string_view key, std::string_view value) = 0;
    virtual void null(std::string_view key) = 0;
    // A list of integers ([2, 1]); shape() writes -1 (any size) as null, as Keras writes shapes.
    virtual void integers(std::string_view key, const std::vector<int64_t>& values) = 0;
    virtual void shape(std::string_view key, const std::vector<int64_t>& values) = 0;
    // A nested object whose keys `fill` writes (Keras' {"class_name": ..., "config": {...}} values).
    virtual void object(std::string_view key, const std::function<void(ConfigWriter&)>& fill) = 0;
};

class ConfigReader {
public:
    virtual ~ConfigReader() = default;
    // What errors start with, e.g. "Dense config".
    virtual const std::string& where() const = 0;
    // The key is present and not null.
    virtual bool has(std::string_view key) const = 0;

    // Required keys: a missing one throws. integer() accepts a float with a whole value (Python
    // writes 100.0), not 2.5.
    virtual int64_t integer(std::string_view key) const = 0;
    virtual double number(std::string_view key) const = 0;
    virtual bool boolean(std::string_view key) const = 0;
    virtual std::string text(std::string_view key) const = 0;
    // A list of integers; null reads as -1, and a single integer n as [n] (Keras' Dot(axes=1)).
    virtual std::vector<int64_t> integers(std::string_view key) const = 0;
    // A nested object (a wrapper's {"class_name": ..., "config": {...}}), read by a reader of its own
    // whose errors name the key; required.
    virtual std::unique_ptr<ConfigReader> object(std::string_view key) const = 0;
    // The key is present with the value null (Keras' None, e.g. Bidirectional's merge_mode).
    // Default: false.
    virtual bool is_null(std::string_view key) const;

    // Optional keys: absent or null reads as the fallback.
    int64_t integer(std::string_view key, int64_t fallback) const { return has(key) ? integer(key) : fallback; }
    double number(std::string_view key, double fallback) const { return has(key) ? number(key) : fallback; }
    bool boolean(std::string_view key, bool fallback) const { return has(key) ? boolean(key) : fallback; }
    std::string text(std::string_view key, std::string_view fallback) const {
        return has(key) ? text(key) : std::string(fallback);
    }

    // A Keras option tapenet does not implement: absent, null or false passes; true throws
    // "<where>: '<key>: true' is not supported by tapenet" rather than computing something else.
    void unsupported_if_true(std::string_view key) const;
    // Throws "<where>: <message>".
    [[noreturn]] void fail(const std::string& message) const;
};

}  // namespace tn
