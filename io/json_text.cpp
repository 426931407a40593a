#include "io/json_text.h"

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace tn {

namespace {

using ordered_json = nlohmann::ordered_json;

// Counts values and nesting without building anything; stops at the first limit crossed.
class BoundsCheck : public nlohmann::json_sax<ordered_json> {
public:
    std::string exceeded;  // which limit stopped the parse, or "" (a syntax error, or none)
    std::string error;     // nlohmann's message for a syntax error
    size_t error_byte = 0;

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override { return open(); }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(); }
    bool end_array() override { return close(); }
    bool key(string_t&) override { return true; }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
        error = e.what();
        error_byte = position;
        return false;
    }

private:
    bool value() {
        if (++values_ <= kMaxJsonValues) return true;
        exceeded = "JSON of more than " + std::to_string(kMaxJsonValues) + " values (a model.json holds far fewer)";
        return false;
    }
    bool open() {
        if (++depth_ > kMaxJsonDepth) {
            exceeded = "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
            return false;
        }
        return value();
    }
    bool close() {
        --depth_;
        return true;
    }

    int64_t values_ = 0;
    int depth_ = 0;
};

// "line L, column C" of a byte offset (1-based, as editors count).
std::string line_and_column(const std::string& text, size_t byte) {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < byte && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix.
std::string problem_of(const std::string& message) {
    const size_t colon = message.find(": ");
    return colon == std::string::npos ? message : message.substr(colon + 2);
}

}  // namespace

std::string json_syntax_error(const std::string& text, size_t position, const std::string& message) {
    // nlohmann reports the byte after the one it could not use.
    const size_t at = position > 0 ? position - 1 : 0;
    return "malformed JSON: " + line_and_column(text, at) + ": " + problem_of(message);
}

ordered_json parse_json_text(const std::string& text, const std::string& file) {
    if (static_cast<int64_t>(text.size()) > kMaxJsonBytes)
        format_error(file, "is " + std::to_string(text.size()) + " bytes, more than the " +
                               std::to_string(kMaxJsonBytes >> 20) + " MiB a model.json may hold");
    BoundsCheck check;
    if (!ordered_json::sax_parse(text, &check)) {
        if (!check.exceeded.empty()) format_error(file, "refused: " + check.exceeded);
        format_error(file, json_syntax_error(text, check.error_byte, check.error));
    }
    return ordered_json::parse(text);
}

}  // namespace tn
