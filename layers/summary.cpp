#include "layers/summary.h"

#include <sstream>

#include "core/error.h"

namespace tn {

namespace {

std::string keras_shape(const Shape& s) {
    std::string out = "(";
    for (size_t i = 0; i < s.size(); ++i) {
        if (i) out += ", ";
        out += s[i] < 0 ? "None" : std::to_string(s[i]);
    }
    if (s.size() == 1) out += ",";
    return out + ")";
}

std::string pad(std::string s, size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

}  // namespace

std::string format_thousands(int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

std::string summary(const std::vector<Layer*>& layers, const Shape& input_shape, const std::string& title) {
    Shape shape = input_shape;
    std::vector<SummaryRow> rows;
    for (size_t k = 0; k < layers.size(); ++k) {
        Layer* layer = layers[k];
        if (!layer) value_error("summary", "layer " + std::to_string(k) + " is null");
        if (!layer->built()) layer->build(shape);
        shape = layer->output_shape(shape);
        rows.push_back({layer->name(), layer->class_name(), shape, layer->count_params()});
    }
    return summary_table(rows, title);
}

std::string summary_table(const std::vector<SummaryRow>& rows, const std::string& title) {
    const std::string thin(65, '_'), thick(65, '=');
    std::ostringstream os;
    if (!title.empty()) os << "Model: \"" << title << "\"\n";
    os << thin << "\n" << pad(" Layer (type)", 29) << pad("Output Shape", 26) << "Param #\n" << thick << "\n";
    int64_t total = 0;
    for (const SummaryRow& row : rows) {
        total += row.params;
        os << pad(" " + row.name + " (" + row.class_name + ")", 29) << pad(keras_shape(row.output_shape), 26)
           << row.params << "\n";
    }
    os << thick << "\n"
       << "Total params: " << format_thousands(total) << "\n"
       << "Trainable params: " << format_thousands(total) << "\n"
       << "Non-trainable params: 0\n"
       << thin << "\n";
    return os.str();
}

}  // namespace tn
