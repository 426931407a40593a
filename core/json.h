// tapenet core: a JSON value, its parser and its writer.
//
//   tn::Json config = tn::Json::object({{"name", "dense"}, {"units", 32}});
//   config["activation"] = "tanh";                    // objects keep their insertion order
//   int units = config.at("units").get<int>();        // a missing key or a wrong type throws JsonError
//   std::string text = config.dump(2);                // nlohmann/json's layout: "key": value, 2 spaces
//   tn::Json again = tn::Json::parse(text);           // errors name the line and column
//
// The names follow nlohmann/json (at, get<T>, value, contains, items, dump, parse), which most C++
// programmers know. tapenet used nlohmann/json itself until it measured the cost: its header alone takes
// about 3 CPU-seconds to compile, paid again by every unit that includes it, and instantiating its parser
// and writer about 4 more at -O2. This class compiles in a fraction of that, and the tests check it against
// nlohmann/json, which stays their reference (docs/architecture.md, "JSON").
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace tn {

// A missing key, an index out of range, a value of the wrong type for what was asked of it, or text
// that is not JSON (JsonParseError).
struct JsonError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Text that is not JSON. what(): "JSON parse error at line 3, column 7: expected ':' after an object key, got '2'".
struct JsonParseError : JsonError {
    JsonParseError(size_t line_, size_t column_, const std::string& problem_)
        : JsonError("JSON parse error at line " + std::to_string(line_) + ", column " + std::to_string(column_) + ": " +
                    problem_),
          line(line_), column(column_), problem(problem_) {}
    size_t line, column;  // from 1; the column counts bytes
    std::string problem;  // what is wrong there
};

class Json {
public:
    using Array = std::vector<Json>;
    using Member = std::pair<std::string, Json>;
    using Object = std::vector<Member>;  // in insertion order, like Keras' configs; keys are unique

    // Deeper nesting is a parse error, so that hostile input cannot exhaust the stack.
    static constexpr int kMaxDepth = 256;

    Json() = default;  // null
    Json(std::nullptr_t) {}
    Json(bool b) : kind_(Kind::Boolean) { scalar_.boolean = b; }
    template <std::integral I>
        requires(!std::same_as<I, bool>)
    Json(I v) {
        if (std::in_range<int64_t>(v)) kind_ = Kind::Integer, scalar_.integer = static_cast<int64_t>(v);
        else kind_ = Kind::Unsigned, scalar_.unsigned_integer = static_cast<uint64_t>(v);
    }
    Json(double v) : kind_(Kind::Float) { scalar_.number = v; }
    Json(float v) : Json(static_cast<double>(v)) {}
    Json(const char* s) : kind_(Kind::String), string_(s) {}
    Json(std::string s) : kind_(Kind::String), string_(std::move(s)) {}
    Json(std::string_view s) : kind_(Kind::String), string_(s) {}
    template <class T>
    Json(const std::vector<T>& items) : kind_(Kind::Array), array_(items.begin(), items.end()) {}

    static Json array(std::initializer_list<Json> items = {}) { return array(Array(items)); }
    static Json array(Array items) {
        Json j;
        j.kind_ = Kind::Array;
        j.array_ = std::move(items);
        return j;
    }
    static Json object(std::initializer_list<Member> members = {});
    static Json object(Object members);  // a repeated key keeps its first place and its last value

    // Parses one JSON document (RFC 8259). Throws JsonParseError, also for arrays and objects nested
    // deeper than `max_depth`.
    static Json parse(std::string_view text, int max_depth = kMaxDepth);
    // Compact with indent < 0; otherwise one member or element per line, `indent` spaces per level.
    // Non-finite numbers are written as null, as nlohmann/json does. Throws JsonError for a string
    // that is not valid UTF-8.
    std::string dump(int indent = -1) const;

    // What the value is. Numbers are integers (int64, or uint64 above its range) or floats (double), as
    // parsed or constructed.
    bool is_null() const { return kind_ == Kind::Null; }
    bool is_boolean() const { return kind_ == Kind::Boolean; }
    bool is_number() const { return is_number_integer() || is_number_float(); }
    bool is_number_integer() const { return kind_ == Kind::Integer || kind_ == Kind::Unsigned; }
    bool is_number_unsigned() const { return kind_ == Kind::Unsigned; }  // only above int64's range
    bool is_number_float() const { return kind_ == Kind::Float; }
    bool is_string() const { return kind_ == Kind::String; }
    bool is_array() const { return kind_ == Kind::Array; }
    bool is_object() const { return kind_ == Kind::Object; }
    const char* type_name() const;  // "null", "boolean", "number", "string", "array" or "object"

    // The value as T: bool, an integer type (a float with an integral value is accepted; the value
    // must fit T), float or double (from either kind of number), std::string, Json, or a std::vector
    // of those. A value of another kind throws JsonError: "JSON: expected a string, got number 32".
    template <class T>
    T get() const;

    // Objects.
    bool contains(std::string_view key) const { return find(key) != nullptr; }
    const Json* find(std::string_view key) const;  // nullptr when absent or when this is not an object
    Json* find(std::string_view key);
    const Json& at(std::string_view key) const;  // throws JsonError naming the key
    Json& at(std::string_view key);
    Json& operator[](std::string_view key);  // inserts null when absent; a null value becomes an object
    size_t erase(std::string_view key);  // how many members were removed: 0 or 1
    // get<T>() of the member, or `fallback` when the key is absent.
    template <class T>
    T value(std::string_view key, const T& fallback) const {
        const Json* v = find(key);
        return v ? v->get<T>() : fallback;
    }
    std::string value(std::string_view key, const char* fallback) const { return value(key, std::string(fallback)); }
    const Object& items() const;  // the members, in order: for (const auto& [key, value] : j.items())
    Object& items();

    // Arrays.
    const Json& at(size_t i) const;  // throws JsonError naming the index and the size
    Json& at(size_t i);
    const Json& operator[](size_t i) const { return at(i); }
    Json& operator[](size_t i) { return at(i); }
    const Array& elements() const;  // the elements: for (const Json& x : j.elements()); throws unless an array
    Array& elements();
    Array::const_iterator begin() const { return elements().begin(); }  // range-for over an array
    Array::const_iterator end() const { return elements().end(); }
    Array::iterator begin() { return elements().begin(); }
    Array::iterator end() { return elements().end(); }
    void push_back(Json v);  // a null value becomes an array
    const Json& back() const { return at(size() - 1); }

    // Elements of an array or members of an object; 0 for null, 1 for anything else (as nlohmann/json).
    size_t size() const;
    bool empty() const { return size() == 0; }

    // Deep equality; an integer and a float are equal when their values are; object members compare in order.
    bool operator==(const Json& other) const;

private:
    bool get_bool() const;
    // The integer, checked to lie in [min, max]; returned as its bits in a uint64 (two's complement).
    uint64_t get_integer(int64_t min, uint64_t max) const;
    double get_double() const;
    const std::string& get_string() const;
    [[noreturn]] void wrong_type(const char* expected) const;
    static bool same_integer(const Json& a, const Json& b);  // two integers (int64 or uint64), exactly

    // A tagged value: `kind_` says which member holds it; the others stay empty. (A std::variant would
    // be smaller, but its visitors cost every unit that copies a Json seconds of compile time.)
    enum class Kind : uint8_t { Null, Boolean, Integer, Unsigned, Float, String, Array, Object };
    Kind kind_ = Kind::Null;
    union Scalar {
        bool boolean;
        int64_t integer;
        uint64_t unsigned_integer;  // only above int64's range
        double number;
    } scalar_{};
    std::string string_;
    Array array_;
    Object object_;
};

// Writes j.dump(): std::cout << config, and doctest prints a failed CHECK's values this way.
std::ostream& operator<<(std::ostream& out, const Json& j);

namespace json_detail {
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
}  // namespace json_detail

template <class T>
T Json::get() const {
    if constexpr (std::same_as<T, Json>) {
        return *this;
    } else if constexpr (std::same_as<T, bool>) {
        return get_bool();
    } else if constexpr (std::integral<T>) {
        return static_cast<T>(get_integer(static_cast<int64_t>(std::numeric_limits<T>::min()),
                                          static_cast<uint64_t>(std::numeric_limits<T>::max())));
    } else if constexpr (std::floating_point<T>) {
        return static_cast<T>(get_double());
    } else if constexpr (std::same_as<T, std::string>) {
        return get_string();
    } else if constexpr (json_detail::is_vector<T>::value) {
        T out;
        out.reserve(elements().size());
        for (const Json& x : elements()) out.push_back(x.get<typename T::value_type>());
        return out;
    } else {
        static_assert(json_detail::is_vector<T>::value, "Json::get<T>: unsupported T");
    }
}

}  // namespace tn
