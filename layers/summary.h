// tapenet layers: Keras' summary table of a model (Keras 2's Model.summary()).
//
//   std::cout << tn::summary({&lstm, &attention, &dense}, {-1, 20, 1}, "add_two_numbers");
//
//   Model: "add_two_numbers"
//   _________________________________________________________________
//    Layer (type)                Output Shape              Param #
//   =================================================================
//    lstm (LSTM)                 (None, 20, 100)           40800
//   ...
//   =================================================================
//   Total params: 45,700
//   ...
// The input shape has the batch first (-1 = unknown, printed as None). The layers are applied in
// order; a layer that is not built yet is built for the shape it receives (as Keras' model.build),
// so its parameters are created with its current seed.
//
// A functional model that is not a plain chain (layers/network.h) adds Keras' fourth column, each
// layer's inputs as "<layer>[<node index>][<tensor index>]" in a Python list:
//
//    Layer (type)                   Output Shape         Param #     Connected to
//   ==================================================================================================
//    left (InputLayer)              [(None, 3)]          0           []
//    ...
//    add (Add)                      (None, 4)            0           ['dense[0][0]',
//                                                                     'dense[1][0]']
//
// The columns are Keras 2's (65 characters wide with three columns, 98 with four). A text longer
// than its column wraps onto the next lines, as in Keras (a list breaks after its commas); a column's
// text never reaches the next column, whatever its length, so the columns stay aligned. Unlike
// Keras, rows are not separated by blank lines and lines carry no trailing spaces.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layers/layer.h"

namespace tn {

std::string summary(const std::vector<Layer*>& layers, const Shape& input_shape, const std::string& title = "");

// One row of the table: what a graph (layers/network.h) knows of each layer.
struct SummaryRow {
    std::string name, class_name;
    std::string output_shape;               // as Keras prints it: "(None, 4)", "[(None, 3)]", "multiple"
    int64_t params = 0;
    std::vector<std::string> connected_to;  // "dense[1][0]", ...: shown by a table with connections
};
// The same table from rows already computed; `connections` adds the "Connected to" column.
std::string summary_table(const std::vector<SummaryRow>& rows, const std::string& title = "",
                          bool connections = false);

// (-1, 20, 100) -> "(None, 20, 100)"; (-1, 4) -> "(None, 4)"; a list of shapes -> "[(None, 4), (None, 8)]".
std::string keras_shape(const Shape& shape);
std::string keras_shapes(const std::vector<Shape>& shapes);

// 45700 -> "45,700" (the totals of the summary).
std::string format_thousands(int64_t n);

}  // namespace tn
