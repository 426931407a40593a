// tapenet io: .npy files (io/npy.h). The header is parsed by a small recursive-descent reader of
// the one dict literal numpy writes; the data is converted element by element to float32.
#include "io/npy.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/float32_values.h"

namespace tn {

static_assert(std::endian::native == std::endian::little, "tapenet reads .npy data as little-endian");

namespace {

constexpr std::string_view kNpyMagic = "\x93NUMPY";
constexpr int kNpyMaxRank = 64;                // numpy 2's limit (numpy 1 allows 32)
constexpr size_t kNpyAlign = 64;               // numpy aligns the data to 64 bytes
constexpr size_t kNpyGrowthDigits = 21;        // numpy >= 1.24 leaves room for a longer first axis

// The dtypes tapenet reads, by descr without its byte-order character.
struct NpyDtype {
    enum Kind { f4, f8, i4, i8 } kind;
    int64_t itemsize;
};

// The dict literal of a header: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class NpyHeaderReader {
public:
    NpyHeaderReader(std::string_view text, const std::string& name) : text_(text), name_(name) {}

    void read(NpyHeader& h) {
        bool has_descr = false, has_order = false, has_shape = false;
        expect('{');
        while (!eat('}')) {
            const std::string key = string_literal();
            expect(':');
            if (key == "descr" && !has_descr) {
                if (peek() == '[') fail("a structured dtype (a list of fields) in 'descr'; tapenet reads plain numbers");
                h.descr = string_literal();
                has_descr = true;
            } else if (key == "fortran_order" && !has_order) {
                h.fortran_order = boolean();
                has_order = true;
            } else if (key == "shape" && !has_shape) {
                h.shape = tuple();
                has_shape = true;
            } else {
                fail("the key '" + key + "' (a header holds 'descr', 'fortran_order' and 'shape', once each)");
            }
            if (!eat(',')) {
                expect('}');
                break;
            }
        }
        skip_space();
        if (pos_ != text_.size()) fail("text after the closing '}'");
        if (!has_descr || !has_order || !has_shape)
            fail(std::string("no '") + (!has_descr ? "descr" : !has_order ? "fortran_order" : "shape") + "' key");
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        format_error(name_, "malformed .npy header: " + what);
    }
    void skip_space() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
            ++pos_;
    }
    char peek() {
        skip_space();
        return pos_ < text_.size() ? text_[pos_] : '\0';
    }
    bool eat(char c) {
        if (peek() != c) return false;
        ++pos_;
        return true;
    }
    void expect(char c) {
        if (!eat(c)) fail(std::string("expected '") + c + "' at byte " + std::to_string(pos_));
    }
    // 'text' or "text", without escapes (numpy's keys and descrs have none).
    std::string string_literal() {
        const char quote = peek();
        if (quote != '\'' && quote != '"') fail("expected a quoted string at byte " + std::to_string(pos_));
        const size_t end = text_.find(quote, pos_ + 1);
        if (end == std::string_view::npos) fail("a string without its closing quote");
        std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
        pos_ = end + 1;
        return s;
    }
    bool boolean() {
        skip_space();
        for (const auto& [word, value] : {std::pair{std::string_view("True"), true}, {"False", false}})
            if (text_.substr(pos_, word.size()) == word) {
                pos_ += word.size();
                return value;
            }
        fail("'fortran_order' is neither True nor False");
    }
    // A non-negative integer (Python 2's numpy wrote a trailing L).
    int64_t dimension() {
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9')
            fail("expected a non-negative integer in 'shape' at byte " + std::to_string(pos_));
        int64_t v = 0;
        for (; pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; ++pos_) {
            const int digit = text_[pos_] - '0';
            if (v > (std::numeric_limits<int64_t>::max() - digit) / 10) fail("a dimension in 'shape' beyond 2^63 - 1");
            v = v * 10 + digit;
        }
        if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;
        return v;
    }
    // (), (3,) or (3, 4) with an optional trailing comma.
    Shape tuple() {
        expect('(');
        Shape shape;
        while (!eat(')')) {
            if (static_cast<int>(shape.size()) == kNpyMaxRank)
                fail("'shape' has more than " + std::to_string(kNpyMaxRank) + " dimensions");
            shape.push_back(dimension());
            if (!eat(',')) {
                expect(')');
                break;
            }
        }
        return shape;
    }

    std::string_view text_;
    const std::string& name_;
    size_t pos_ = 0;
};

uint32_t little_endian_u32(std::string_view bytes, size_t at, size_t width) {
    uint32_t v = 0;
    for (size_t k = 0; k < width; ++k) v |= uint32_t{static_cast<unsigned char>(bytes[at + k])} << (8 * k);
    return v;
}

NpyDtype npy_dtype(const std::string& descr, const std::string& name) {
    const std::string supported = "tapenet reads float32 '<f4', float64 '<f8', int32 '<i4' and int64 '<i8'";
    if (descr.size() == 3 && (descr[0] == '<' || descr[0] == '=')) {
        const std::string_view type = std::string_view(descr).substr(1);
        if (type == "f4") return {NpyDtype::f4, 4};
        if (type == "f8") return {NpyDtype::f8, 8};
        if (type == "i4") return {NpyDtype::i4, 4};
        if (type == "i8") return {NpyDtype::i8, 8};
    }
    if (!descr.empty() && descr[0] == '>')
        format_error(name, "big-endian data (descr '" + descr + "') is not supported; " + supported +
                               " (numpy: np.save(path, a.astype(a.dtype.newbyteorder('<'))))");
    format_error(name, "dtype '" + descr + "' is not supported; " + supported);
}

// Checks that the data after the header holds exactly the elements of the shape (before anything
// is allocated), never computing a product that overflows; returns the element count.
int64_t npy_element_count(const NpyHeader& h, int64_t item, int64_t data_bytes, const std::string& name) {
    int64_t n = 1, needed = 0;
    bool overflow = false;
    for (int64_t d : h.shape) overflow |= __builtin_mul_overflow(n, d, &n);
    if (std::find(h.shape.begin(), h.shape.end(), 0) != h.shape.end()) n = 0, overflow = false;
    overflow |= __builtin_mul_overflow(n, item, &needed);
    if (overflow)
        format_error(name, "damaged: its shape " + shape_str(h.shape) + " of '" + h.descr +
                               "' needs more bytes than any file holds (2^63 or more)");
    if (needed != data_bytes) {
        const std::string counts = "its shape " + shape_str(h.shape) + " of '" + h.descr + "' needs " +
                                   std::to_string(needed) + " bytes of data, the file holds " + std::to_string(data_bytes);
        if (needed > data_bytes) format_error(name, "truncated: " + counts);
        format_error(name, "damaged: " + counts + " (more bytes than the array: several arrays in one file?)");
    }
    return n;
}

// One element as float32, refusing what float32 cannot hold (io/float32_values.h).
template <class T>
float npy_element(const char* at, int64_t index, const std::string& name) {
    T v;
    std::memcpy(&v, at, sizeof v);
    std::string problem;
    if constexpr (std::is_integral_v<T>)
        problem = float32_problem(int64_t{v});
    else if constexpr (std::is_same_v<T, double>)
        problem = float32_problem(v);
    if (!problem.empty()) format_error(name, "element " + std::to_string(index) + " is " + problem);
    return static_cast<float>(v);
}

// Element `k` of the file (in its own order) goes to out[destination(k)]: the identity in C order;
// in Fortran order (first axis fastest), the row-major position of the same index.
template <class T>
void npy_convert(const char* data, const NpyHeader& h, Tensor& out, const std::string& name) {
    const int64_t n = out.numel();
    float* dst = out.data();
    if (!h.fortran_order || h.shape.size() <= 1) {
        for (int64_t k = 0; k < n; ++k) dst[k] = npy_element<T>(data + k * int64_t{sizeof(T)}, k, name);
        return;
    }
    const size_t rank = h.shape.size();
    Shape row_major_stride(rank, 1), index(rank, 0);
    for (size_t a = rank - 1; a > 0; --a) row_major_stride[a - 1] = row_major_stride[a] * h.shape[a];
    int64_t at = 0;  // the row-major position of `index`
    for (int64_t k = 0; k < n; ++k) {
        dst[at] = npy_element<T>(data + k * int64_t{sizeof(T)}, k, name);
        for (size_t a = 0; a < rank; ++a) {  // next index, first axis fastest
            at += row_major_stride[a];
            if (++index[a] < h.shape[a]) break;
            at -= row_major_stride[a] * h.shape[a];
            index[a] = 0;
        }
    }
}

// Python's repr of a shape tuple: (), (3,), (3, 4).
std::string python_tuple(const Shape& shape) {
    std::string s = "(";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

NpyHeader parse_npy_header(std::string_view bytes, const std::string& name) {
    if (bytes.size() < 10 || bytes.substr(0, kNpyMagic.size()) != kNpyMagic)
        format_error(name, "not a .npy file (it does not start with NumPy's magic bytes \\x93NUMPY)");
    NpyHeader h;
    h.major_version = static_cast<unsigned char>(bytes[6]);
    h.minor_version = static_cast<unsigned char>(bytes[7]);
    if (h.major_version < 1 || h.major_version > 3 || h.minor_version != 0)
        format_error(name, ".npy format version " + std::to_string(h.major_version) + "." + std::to_string(h.minor_version) +
                               " is not supported (tapenet reads 1.0, 2.0 and 3.0)");
    const size_t width = h.major_version == 1 ? 2 : 4;
    if (bytes.size() < 8 + width) format_error(name, "truncated: the file ends inside the .npy header's length");
    const int64_t length = little_endian_u32(bytes, 8, width);
    h.data_offset = static_cast<int64_t>(8 + width) + length;
    if (h.data_offset > static_cast<int64_t>(bytes.size()))
        format_error(name, "truncated: its .npy header is " + std::to_string(length) + " bytes long, the file ends after " +
                               std::to_string(bytes.size() - 8 - width));
    NpyHeaderReader(bytes.substr(8 + width, static_cast<size_t>(length)), name).read(h);
    return h;
}

Tensor parse_npy(std::string_view bytes, const std::string& name) {
    const NpyHeader h = parse_npy_header(bytes, name);
    const NpyDtype dtype = npy_dtype(h.descr, name);
    const int64_t data_bytes = static_cast<int64_t>(bytes.size()) - h.data_offset;
    npy_element_count(h, dtype.itemsize, data_bytes, name);  // before the tensor is allocated
    Tensor out = Tensor::empty(h.shape);
    const char* data = bytes.data() + h.data_offset;
    switch (dtype.kind) {
        case NpyDtype::f4: npy_convert<float>(data, h, out, name); break;
        case NpyDtype::f8: npy_convert<double>(data, h, out, name); break;
        case NpyDtype::i4: npy_convert<int32_t>(data, h, out, name); break;
        case NpyDtype::i8: npy_convert<int64_t>(data, h, out, name); break;
    }
    return out;
}

Tensor read_npy(const std::string& path) {
    std::string bytes;
    try {
        RegularFile file(path);
        bytes = file.read(file.size());
    } catch (const std::runtime_error& e) {
        throw FormatError(e.what());
    }
    return parse_npy(bytes, path);
}

std::string npy_bytes(const Tensor& t) {
    if (t.ndim() > kNpyMaxRank)
        shape_error("npy", "cannot write a tensor of rank " + std::to_string(t.ndim()) + " (numpy reads at most " +
                               std::to_string(kNpyMaxRank) + " dimensions)");
    std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + python_tuple(t.shape()) + ", }";
    if (!t.shape().empty()) dict += std::string(kNpyGrowthDigits - std::to_string(t.shape()[0]).size(), ' ');
    // numpy's padding: spaces, then '\n', so that the data starts at a multiple of 64 bytes. A
    // rank-64 header is about 1.5 KB, far below version 1's limit of 65535 bytes.
    const size_t pad = kNpyAlign - (kNpyMagic.size() + 4 + dict.size() + 1) % kNpyAlign;
    const size_t length = dict.size() + pad + 1;
    std::string out(kNpyMagic);
    out += '\x01';
    out += '\0';
    out += static_cast<char>(length & 0xFF);
    out += static_cast<char>(length >> 8);
    out += dict;
    out.append(pad, ' ');
    out += '\n';
    if (t.numel() > 0) out.append(reinterpret_cast<const char*>(t.data()), static_cast<size_t>(t.numel()) * sizeof(float));
    return out;
}

void write_npy(const std::string& path, const Tensor& t) { write_file_atomically(path, npy_bytes(t)); }

}  // namespace tn
