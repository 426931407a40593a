#include "core/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ostream>
#include <system_error>
#include <unordered_map>

namespace tn {

namespace {

// The length of the UTF-8 sequence starting at s[i], or 0 when it is not a valid one (overlong
// forms, surrogates and code points above U+10FFFF are invalid: RFC 3629, section 4).
size_t utf8_sequence_length(std::string_view s, size_t i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) return 1;
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) n = 2;
    else if (b0 == 0xE0) n = 3, lo = 0xA0;
    else if (b0 >= 0xE1 && b0 <= 0xEC) n = 3;
    else if (b0 == 0xED) n = 3, hi = 0x9F;
    else if (b0 >= 0xEE && b0 <= 0xEF) n = 3;
    else if (b0 == 0xF0) n = 4, lo = 0x90;
    else if (b0 >= 0xF1 && b0 <= 0xF3) n = 4;
    else if (b0 == 0xF4) n = 4, hi = 0x8F;
    else return 0;
    if (i + n > s.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (size_t k = 2; k < n; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    return n;
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// The integer a whole-valued double holds: an int64, or a uint64 above int64's range. Null when d
// has a fraction, is not finite, or lies outside [-2^63, 2^64).
Json whole_number(double d) {
    if (d != std::trunc(d) || d < -0x1p63 || d >= 0x1p64) return Json();
    return d < 0x1p63 ? Json(static_cast<int64_t>(d)) : Json(static_cast<uint64_t>(d));
}

// A recursive-descent parser over the grammar of RFC 8259. `pos_` is the next unread byte.
class Parser {
public:
    Parser(std::string_view text, int max_depth) : text_(text), max_depth_(max_depth) {}

    Json document() {
        Json v = value(0);
        skip_whitespace();
        if (pos_ < text_.size()) fail("unexpected " + describe_next() + " after the JSON value");
        return v;
    }

private:
    Json value(int depth) {
        skip_whitespace();
        if (pos_ >= text_.size()) fail("unexpected end of input; expected a JSON value");
        switch (text_[pos_]) {
            case '{': return object(depth + 1);
            case '[': return array(depth + 1);
            case '"': return Json(string());
            case 't': literal("true"); return Json(true);
            case 'f': literal("false"); return Json(false);
            case 'n': literal("null"); return Json();
            default: return number();
        }
    }

    Json object(int depth) {
        check_depth(depth);
        ++pos_;  // '{'
        Json::Object members;
        std::unordered_map<std::string, size_t> index;  // key -> place in members: no quadratic parse of huge objects
        skip_whitespace();
        if (consume('}')) return object_of(std::move(members));
        while (true) {
            skip_whitespace();
            if (pos_ >= text_.size() || text_[pos_] != '"') fail("expected a string key, got " + describe_next());
            std::string key = string();
            skip_whitespace();
            if (!consume(':')) fail("expected ':' after an object key, got " + describe_next());
            Json v = value(depth);
            // A repeated key keeps its first place and its last value, as nlohmann::ordered_json does.
            const auto [place, added] = index.try_emplace(key, members.size());
            if (added) members.emplace_back(std::move(key), std::move(v));
            else members[place->second].second = std::move(v);
            skip_whitespace();
            if (consume('}')) return object_of(std::move(members));
            if (!consume(',')) fail("expected ',' or '}' in an object, got " + describe_next());
        }
    }

    static Json object_of(Json::Object members) {  // the keys are unique already
        Json j = Json::object();
        j.items() = std::move(members);
        return j;
    }

    Json array(int depth) {
        check_depth(depth);
        ++pos_;  // '['
        Json::Array items;
        skip_whitespace();
        if (consume(']')) return Json::array(std::move(items));
        while (true) {
            items.push_back(value(depth));
            skip_whitespace();
            if (consume(']')) return Json::array(std::move(items));
            if (!consume(',')) fail("expected ',' or ']' in an array, got " + describe_next());
        }
    }

    std::string string() {
        ++pos_;  // '"'
        std::string out;
        while (true) {
            if (pos_ >= text_.size()) fail("unexpected end of input inside a string");
            const char c = text_[pos_];
            if (c == '"') {
                ++pos_;
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) fail("control character U+00" + hex2(c) + " inside a string");
            if (c == '\\') {
                escape(out);
                continue;
            }
            const size_t n = utf8_sequence_length(text_, pos_);
            if (n == 0) fail("invalid UTF-8 byte 0x" + hex2(c) + " inside a string");
            out.append(text_.substr(pos_, n));
            pos_ += n;
        }
    }

    void escape(std::string& out) {
        ++pos_;  // '\'
        if (pos_ >= text_.size()) fail("unexpected end of input inside a string");
        const char c = text_[pos_++];
        switch (c) {
            case '"': out += '"'; return;
            case '\\': out += '\\'; return;
            case '/': out += '/'; return;
            case 'b': out += '\b'; return;
            case 'f': out += '\f'; return;
            case 'n': out += '\n'; return;
            case 'r': out += '\r'; return;
            case 't': out += '\t'; return;
            case 'u': break;
            default: --pos_; fail(std::string("invalid escape '\\") + c + "'");
        }
        uint32_t cp = hex4();
        // Characters beyond U+FFFF are written as a UTF-16 surrogate pair: \uD83D\uDE00 (RFC 8259, section 7).
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (text_.substr(pos_, 2) != "\\u") fail("a high surrogate \\u" + hex4_text(cp) + " must be followed by a low one");
            pos_ += 2;
            const uint32_t low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("a high surrogate \\u" + hex4_text(cp) + " must be followed by a low one");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail("a low surrogate \\u" + hex4_text(cp) + " without a high one");
        }
        append_utf8(out, cp);
    }

    uint32_t hex4() {
        uint32_t v = 0;
        for (int k = 0; k < 4; ++k, ++pos_) {
            if (pos_ >= text_.size()) fail("unexpected end of input inside a \\u escape");
            const char c = text_[pos_];
            const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) fail("expected 4 hexadecimal digits after \\u, got " + describe_next());
            v = v * 16 + static_cast<uint32_t>(d);
        }
        return v;
    }

    // number = [ minus ] int [ frac ] [ exp ] (RFC 8259, section 6). Integers that fit int64 or uint64
    // stay integers; the rest are doubles, read with correct rounding by std::from_chars.
    Json number() {
        const size_t start = pos_;
        const auto digits = [&] {
            const size_t from = pos_;
            while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
            return pos_ - from;
        };
        consume('-');
        if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') {
            pos_ = start;
            fail("expected a JSON value, got " + describe_next());
        }
        if (text_[pos_] == '0') {
            ++pos_;
            if (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') fail("a number cannot have a leading zero");
        } else {
            digits();
        }
        bool integer = true;
        if (consume('.')) {
            integer = false;
            if (digits() == 0) fail("expected a digit after the decimal point, got " + describe_next());
        }
        if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
            integer = false;
            ++pos_;
            if (!consume('+')) consume('-');
            if (digits() == 0) fail("expected a digit in the exponent, got " + describe_next());
        }
        const char* first = text_.data() + start;
        const char* last = text_.data() + pos_;
        if (integer) {
            int64_t v = 0;
            if (std::from_chars(first, last, v).ec == std::errc()) return Json(v);
            uint64_t u = 0;
            if (std::from_chars(first, last, u).ec == std::errc()) return Json(u);
        }
        double d = 0;
        const auto [end, ec] = std::from_chars(first, last, d);
        if (ec == std::errc::result_out_of_range && below_one(std::string_view(first, last)))
            return Json(*first == '-' ? -0.0 : 0.0);  // underflow: the nearest double is zero (nlohmann/json agrees)
        if (ec != std::errc() || end != last || !std::isfinite(d)) {
            pos_ = start;
            fail("number " + std::string(first, last) + " is out of the range of a double");
        }
        return Json(d);
    }

    // Whether a valid JSON number's magnitude is below 1: its first nonzero digit stands at a negative
    // power of ten. Out of a double's range, that tells underflow from overflow.
    static bool below_one(std::string_view number) {
        const size_t e = number.find_first_of("eE");
        const std::string_view mantissa = number.substr(0, e);
        long long power = 0;
        if (e != std::string_view::npos) {
            std::string_view exponent = number.substr(e + 1);
            if (exponent.front() == '+') exponent.remove_prefix(1);
            if (std::from_chars(exponent.data(), exponent.data() + exponent.size(), power).ec != std::errc())
                return exponent.front() == '-';  // an exponent beyond long long decides alone
        }
        const size_t point = std::min(mantissa.find('.'), mantissa.size());
        const size_t first_digit = mantissa.find_first_of("123456789");
        if (first_digit == std::string_view::npos) return true;  // zero
        power += first_digit < point ? static_cast<long long>(point - first_digit) - 1 : -static_cast<long long>(first_digit - point);
        return power < 0;
    }

    void literal(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) fail("expected a JSON value, got " + describe_next());
        pos_ += word.size();
    }

    void check_depth(int depth) {
        if (depth > max_depth_) fail("the document nests deeper than " + std::to_string(max_depth_) + " levels");
    }

    void skip_whitespace() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
            ++pos_;
    }

    bool consume(char c) {
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }

    std::string describe_next() const {
        if (pos_ >= text_.size()) return "end of input";
        const unsigned char c = static_cast<unsigned char>(text_[pos_]);
        if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
        return "byte 0x" + hex2(static_cast<char>(c));
    }

    static std::string hex2(char c) {
        const char* digits = "0123456789ABCDEF";
        const auto b = static_cast<unsigned char>(c);
        return {digits[b >> 4], digits[b & 15]};
    }
    static std::string hex4_text(uint32_t v) { return hex2(static_cast<char>(v >> 8)) + hex2(static_cast<char>(v & 0xFF)); }

    [[noreturn]] void fail(const std::string& what) const {
        size_t line = 1, column = 1;
        for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
            if (text_[i] == '\n') ++line, column = 1;
            else ++column;
        }
        throw JsonParseError(line, column, what);
    }

    std::string_view text_;
    int max_depth_;
    size_t pos_ = 0;
};

void dump_string(std::string& out, const std::string& s) {
    static const char* digits = "0123456789abcdef";
    out += '"';
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += digits[c >> 4];
                    out += digits[c & 15];
                } else {
                    const size_t n = utf8_sequence_length(s, i);
                    if (n == 0)
                        throw JsonError("JSON: cannot write a string that is not valid UTF-8 (byte " + std::to_string(i) + " of \"" +
                                        s.substr(0, 40) + "\")");
                    out.append(s, i, n);
                    i += n;
                    continue;
                }
        }
        ++i;
    }
    out += '"';
}

// The shortest digits that read back as the same double (std::to_chars), laid out as nlohmann/json
// does (its dtoa_impl::format_buffer): plain notation while the decimal point falls within 4 places
// before and 15 after the first digit (0.0001, 123.0, 100000000000000.0), else an exponent of at
// least 2 digits (1e-05, 1.5e+20). Whole numbers get ".0", so that they read back as floats.
void dump_double(std::string& out, double d) {
    if (!std::isfinite(d)) {
        out += "null";
        return;
    }
    char buf[32];
    const auto end = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific).ptr;  // -1.25e-05
    const std::string_view sci(buf, static_cast<size_t>(end - buf));
    const size_t e = sci.find('e');
    int exponent = 0;
    std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exponent);
    std::string digits;
    for (const char c : sci.substr(0, e))
        if (c >= '0' && c <= '9') digits += c;
    if (sci.front() == '-') out += '-';
    const int k = static_cast<int>(digits.size());
    const int n = exponent + 1;  // the value is 0.<digits> * 10^n
    if (k <= n && n <= 15) {
        out += digits;
        out.append(static_cast<size_t>(n - k), '0');
        out += ".0";
    } else if (0 < n && n <= 15) {
        out.append(digits, 0, static_cast<size_t>(n));
        out += '.';
        out.append(digits, static_cast<size_t>(n));
    } else if (-4 < n && n <= 0) {
        out += "0.";
        out.append(static_cast<size_t>(-n), '0');
        out += digits;
    } else {
        out += digits.front();
        if (k > 1) out += '.' + digits.substr(1);
        out += exponent < 0 ? "e-" : "e+";
        if (std::abs(exponent) < 10) out += '0';
        out += std::to_string(std::abs(exponent));
    }
}

void dump_value(std::string& out, const Json& v, int indent, int level) {
    const auto newline = [&](int at_level) {
        if (indent < 0) return;
        out += '\n';
        out.append(static_cast<size_t>(indent) * static_cast<size_t>(at_level), ' ');
    };
    if (v.is_object()) {
        if (v.items().empty()) {
            out += "{}";
            return;
        }
        out += '{';
        bool first = true;
        for (const auto& [key, member] : v.items()) {
            if (!first) out += ',';
            first = false;
            newline(level + 1);
            dump_string(out, key);
            out += indent < 0 ? ":" : ": ";
            dump_value(out, member, indent, level + 1);
        }
        newline(level);
        out += '}';
    } else if (v.is_array()) {
        if (v.elements().empty()) {
            out += "[]";
            return;
        }
        out += '[';
        bool first = true;
        for (const Json& x : v.elements()) {
            if (!first) out += ',';
            first = false;
            newline(level + 1);
            dump_value(out, x, indent, level + 1);
        }
        newline(level);
        out += ']';
    } else if (v.is_string()) {
        dump_string(out, v.get<std::string>());
    } else if (v.is_number_unsigned()) {
        out += std::to_string(v.get<uint64_t>());
    } else if (v.is_number_integer()) {
        out += std::to_string(v.get<int64_t>());
    } else if (v.is_number_float()) {
        dump_double(out, v.get<double>());
    } else if (v.is_boolean()) {
        out += v.get<bool>() ? "true" : "false";
    } else {
        out += "null";
    }
}

}  // namespace

Json Json::object(std::initializer_list<Member> members) { return object(Object(members)); }

Json Json::object(Object members) {
    Json j;
    j.kind_ = Kind::Object;
    Object& unique = j.object_;
    unique.reserve(members.size());
    for (auto& m : members) {
        auto same = std::find_if(unique.begin(), unique.end(), [&](const Member& u) { return u.first == m.first; });
        if (same != unique.end()) same->second = std::move(m.second);
        else unique.push_back(std::move(m));
    }
    return j;
}

Json Json::parse(std::string_view text, int max_depth) { return Parser(text, max_depth).document(); }

std::string Json::dump(int indent) const {
    std::string out;
    dump_value(out, *this, indent, 0);
    return out;
}

const char* Json::type_name() const {
    if (is_null()) return "null";
    if (is_boolean()) return "boolean";
    if (is_number()) return "number";
    if (is_string()) return "string";
    if (is_array()) return "array";
    return "object";
}

void Json::wrong_type(const char* expected) const {
    throw JsonError(std::string("JSON: expected ") + expected + ", got " + type_name() + (is_number() ? " " + dump() : ""));
}

bool Json::get_bool() const {
    if (!is_boolean()) wrong_type("a boolean");
    return scalar_.boolean;
}

uint64_t Json::get_integer(int64_t min, uint64_t max) const {
    if (is_number_float()) {
        // Keras writes some integers as floats ("units": 1.0): accept a whole number in range.
        const Json whole = whole_number(scalar_.number);
        if (whole.is_null()) wrong_type("an integer");
        return whole.get_integer(min, max);
    }
    if (is_number_unsigned()) {
        const uint64_t u = scalar_.unsigned_integer;
        if (u > max) throw JsonError("JSON: " + std::to_string(u) + " does not fit in the integer type asked for");
        return u;
    }
    if (!is_number_integer()) wrong_type("an integer");
    const int64_t v = scalar_.integer;
    if (v < min || (v > 0 && static_cast<uint64_t>(v) > max))
        throw JsonError("JSON: " + std::to_string(v) + " does not fit in the integer type asked for");
    return static_cast<uint64_t>(v);
}

double Json::get_double() const {
    if (is_number_unsigned()) return static_cast<double>(scalar_.unsigned_integer);
    if (is_number_integer()) return static_cast<double>(scalar_.integer);
    if (!is_number_float()) wrong_type("a number");
    return scalar_.number;
}

const std::string& Json::get_string() const {
    if (!is_string()) wrong_type("a string");
    return string_;
}

const Json* Json::find(std::string_view key) const {
    if (!is_object()) return nullptr;
    for (const auto& [k, v] : object_)
        if (k == key) return &v;
    return nullptr;
}

Json* Json::find(std::string_view key) { return const_cast<Json*>(std::as_const(*this).find(key)); }

const Json& Json::at(std::string_view key) const {
    if (!is_object()) wrong_type(("an object with the key \"" + std::string(key) + "\"").c_str());
    const Json* v = find(key);
    if (!v) throw JsonError("JSON: key \"" + std::string(key) + "\" not found");
    return *v;
}

Json& Json::at(std::string_view key) { return const_cast<Json&>(std::as_const(*this).at(key)); }

Json& Json::operator[](std::string_view key) {
    if (is_null()) kind_ = Kind::Object;
    if (Json* v = find(key)) return *v;
    Object& members = items();
    members.emplace_back(std::string(key), Json());
    return members.back().second;
}

size_t Json::erase(std::string_view key) {
    Object& members = items();
    const auto it = std::find_if(members.begin(), members.end(), [&](const Member& m) { return m.first == key; });
    if (it == members.end()) return 0;
    members.erase(it);
    return 1;
}

const Json::Object& Json::items() const {
    if (!is_object()) wrong_type("an object");
    return object_;
}

Json::Object& Json::items() { return const_cast<Object&>(std::as_const(*this).items()); }

const Json& Json::at(size_t i) const {
    const Array& a = elements();
    if (i >= a.size())
        throw JsonError("JSON: index " + std::to_string(i) + " is out of range for an array of " + std::to_string(a.size()));
    return a[i];
}

Json& Json::at(size_t i) { return const_cast<Json&>(std::as_const(*this).at(i)); }

const Json::Array& Json::elements() const {
    if (!is_array()) wrong_type("an array");
    return array_;
}

Json::Array& Json::elements() { return const_cast<Array&>(std::as_const(*this).elements()); }

void Json::push_back(Json v) {
    if (is_null()) kind_ = Kind::Array;
    elements().push_back(std::move(v));
}

size_t Json::size() const {
    if (is_null()) return 0;
    if (is_array()) return array_.size();
    if (is_object()) return object_.size();
    return 1;
}

bool Json::same_integer(const Json& a, const Json& b) {
    if (a.kind_ != b.kind_) return false;
    return a.is_number_unsigned() ? a.scalar_.unsigned_integer == b.scalar_.unsigned_integer : a.scalar_.integer == b.scalar_.integer;
}

bool Json::operator==(const Json& other) const {
    if (is_number_float() && other.is_number_float()) return scalar_.number == other.scalar_.number;
    if (is_number() && other.is_number()) {
        // Exact, with an integer on at least one side: a float equals an integer only when it is that
        // whole number. uint64 holds only values above int64's range, so equal integers are of one kind.
        const Json& a = is_number_float() ? *this : other;
        const Json& b = is_number_float() ? other : *this;
        if (!a.is_number_float()) return same_integer(*this, other);
        const Json whole = whole_number(a.scalar_.number);
        return !whole.is_null() && same_integer(whole, b);
    }
    if (kind_ != other.kind_) return false;
    switch (kind_) {
        case Kind::Boolean: return scalar_.boolean == other.scalar_.boolean;
        case Kind::String: return string_ == other.string_;
        case Kind::Array: return array_ == other.array_;
        case Kind::Object: return object_ == other.object_;
        default: return true;  // null (numbers were compared above)
    }
}

std::ostream& operator<<(std::ostream& out, const Json& j) { return out << j.dump(); }

}  // namespace tn
