// tapenet io: JSON tensors (io/tensor_json.h), read with nlohmann/json's SAX parser.
#include "io/tensor_json.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/float32_values.h"
#include "io/json_text.h"

namespace tn {

namespace {

constexpr int kTensorJsonMaxDepth = 64;

std::string json_list(const Shape& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// Reads {"shape": [...], "data": [...], "dtype": "..."} event by event. Nesting levels: 1 is the
// object, 2 the outer list of "shape" or "data", 3 and more the lists nested in "data".
class TensorJsonReader : public nlohmann::json_sax<nlohmann::json> {
public:
    TensorJsonReader(const std::string& text, const std::string& name) : text_(text), name_(name) {}

    Tensor tensor() {
        if (!seen_shape_ || !seen_data_)
            fail(std::string("has no \"") + (!seen_shape_ ? "shape" : "data") + "\" (a tensor is {\"shape\": [...], \"data\": [...]})");
        const int64_t count = static_cast<int64_t>(values_.size());
        if (lengths_.size() > 1) {  // nested: the lists must have the shape
            if (lengths_ != shape_)
                fail("\"data\" is nested as " + json_list(lengths_) + ", the shape is " + json_list(shape_));
        } else if (count != numel_or_fail()) {
            fail("\"data\" holds " + std::to_string(count) + " values, the shape " + json_list(shape_) + " needs " +
                 std::to_string(numel_or_fail()));
        }
        return Tensor::from_vector(std::move(values_), shape_);
    }

    bool start_object(std::size_t) override {
        if (depth_ != 0) fail("a JSON object inside " + where());
        ++depth_;
        return true;
    }
    bool end_object() override {
        --depth_;
        return true;
    }
    bool key(string_t& k) override {
        key_ = k;
        bool& seen = k == "shape" ? seen_shape_ : k == "data" ? seen_data_ : seen_dtype_;
        if (k != "shape" && k != "data" && k != "dtype")
            fail("has the key \"" + k + "\" (a tensor is {\"shape\": [...], \"data\": [...]}, with an optional \"dtype\")");
        if (seen) fail("has the key \"" + k + "\" twice");
        seen = true;
        return true;
    }
    bool start_array(std::size_t) override {
        if (depth_ == 0) fail("is a list, not {\"shape\": [...], \"data\": [...]}");
        if (depth_ >= kTensorJsonMaxDepth) fail("nests lists deeper than " + std::to_string(kTensorJsonMaxDepth) + " levels");
        if (depth_ == 1 && key_ == "dtype") fail("\"dtype\" is not a string");
        if (key_ != "data" && depth_ > 1) fail("has a list inside " + where());
        if (key_ == "data") {
            const size_t level = static_cast<size_t>(depth_ - 1);  // 0 for the outer list
            if (leaf_level_ >= 0 && static_cast<int64_t>(level) > leaf_level_) ragged();
            if (counts_.size() <= level) counts_.resize(level + 1);
            if (level > 0) ++counts_[level - 1];
            counts_[level] = 0;
        }
        ++depth_;
        return true;
    }
    bool end_array() override {
        --depth_;
        if (key_ == "data") {
            const size_t level = static_cast<size_t>(depth_ - 1);
            if (lengths_.size() <= level) lengths_.resize(level + 1, -1);
            if (lengths_[level] < 0) lengths_[level] = counts_[level];
            if (lengths_[level] != counts_[level]) ragged();
        }
        return true;
    }

    bool number_integer(number_integer_t v) override { return integer(v); }
    bool number_unsigned(number_unsigned_t v) override {
        if (v <= uint64_t{std::numeric_limits<int64_t>::max()}) return integer(static_cast<int64_t>(v));
        fail(std::to_string(v) + " in " + where() + " is beyond 2^63 - 1");
    }
    bool number_float(number_float_t v, const string_t&) override {
        if (key_ == "shape") fail("\"shape\" holds " + std::to_string(v) + ", not a whole number");
        return value(static_cast<float>(v), float32_problem(v));
    }
    bool null() override { return value(std::numeric_limits<float>::quiet_NaN(), "", "null"); }
    bool string(string_t& s) override {
        if (key_ == "dtype" && depth_ == 1) {
            if (s != "float32" && s != "float64" && s != "int32" && s != "int64")
                fail("\"dtype\" is \"" + s + "\"; tapenet reads float32, float64, int32 and int64");
            return true;
        }
        const float inf = std::numeric_limits<float>::infinity();
        if (s == "NaN") return value(std::numeric_limits<float>::quiet_NaN(), "", "\"NaN\"");
        if (s == "Infinity") return value(inf, "", "\"Infinity\"");
        if (s == "-Infinity") return value(-inf, "", "\"-Infinity\"");
        fail("has the string \"" + s + "\" in " + where() + " (numbers only; NaN and infinities as \"NaN\", \"Infinity\", \"-Infinity\")");
    }
    bool boolean(bool) override { fail("has true or false in " + where()); }
    bool binary(binary_t&) override { fail("has binary data"); }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
        throw FormatError(name_ + ": " + json_syntax_error(text_, position, e.what()));
    }

private:
    [[noreturn]] void fail(const std::string& what) const { format_error(name_, what); }
    [[noreturn]] void ragged() const { fail("\"data\" has nested lists of different lengths or depths (it must have one shape)"); }
    std::string where() const { return depth_ == 0 ? "the top level" : "\"" + key_ + "\""; }

    bool integer(int64_t v) {
        if (key_ == "shape" && depth_ == 2) {
            if (v < 0) fail("\"shape\" holds " + std::to_string(v) + "; dimensions are >= 0");
            shape_.push_back(v);
            return true;
        }
        return value(static_cast<float>(v), float32_problem(v));
    }
    // A value of "data" (anything else is refused, naming where it is).
    bool value(float v, const std::string& problem, const char* spelled = nullptr) {
        if (depth_ == 0) fail("is not a JSON object {\"shape\": [...], \"data\": [...]}");
        if (depth_ == 1) fail("\"" + key_ + "\" is " + (key_ == "dtype" ? "not a string" : "not a list"));
        if (key_ == "shape") fail(std::string("\"shape\" holds ") + (spelled ? spelled : "a value that is not a whole number"));
        const int64_t level = depth_ - 2;
        if (leaf_level_ < 0) leaf_level_ = level;
        if (level != leaf_level_ || static_cast<int64_t>(lengths_.size()) > level + 1) ragged();
        ++counts_[static_cast<size_t>(level)];
        if (!problem.empty()) fail("value " + std::to_string(values_.size()) + " of \"data\" is " + problem);
        values_.push_back(v);
        return true;
    }
    // The element count of the shape; one that overflows holds more values than any text.
    int64_t numel_or_fail() const {
        try {
            return shape_numel(shape_);
        } catch (const ShapeError&) {
            fail("the shape " + json_list(shape_) + " has more elements than any file could hold");
        }
    }

    const std::string& text_;
    const std::string& name_;
    int depth_ = 0;
    std::string key_;
    bool seen_shape_ = false, seen_data_ = false, seen_dtype_ = false;
    Shape shape_;
    std::vector<float> values_;
    std::vector<int64_t> counts_;   // elements so far of the list open at each level of "data"
    Shape lengths_;                 // the length of the lists at each level (-1 until one closed)
    int64_t leaf_level_ = -1;       // the level holding the numbers, once one is seen
};

void append_json_float(std::string& out, float v) {
    if (std::isnan(v)) {
        out += "\"NaN\"";
    } else if (std::isinf(v)) {
        out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    } else if (v == 0 && std::signbit(v)) {
        out += "-0.0";  // a JSON reader takes "-0" for the integer 0
    } else {
        char buf[32];
        out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
    }
}

}  // namespace

Tensor parse_tensor_json(const std::string& text, const std::string& name) {
    TensorJsonReader reader(text, name);
    nlohmann::json::sax_parse(text, &reader);
    return reader.tensor();
}

Tensor read_tensor_json(const std::string& path) {
    std::string text;
    try {
        text = read_file(path);
    } catch (const std::runtime_error& e) {
        throw FormatError(e.what());
    }
    return parse_tensor_json(text, path);
}

std::string tensor_json_text(const Tensor& t) {
    std::string out = "{\"shape\": " + json_list(t.shape()) + ", \"data\": [";
    for (int64_t i = 0; i < t.numel(); ++i) {
        if (i) out += ", ";
        append_json_float(out, t[i]);
    }
    return out + "]}";
}

void write_tensor_json(const std::string& path, const Tensor& t) { write_file_atomically(path, tensor_json_text(t) + "\n"); }

}  // namespace tn
