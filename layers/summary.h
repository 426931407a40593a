// tapenet layers: a Keras-style summary table of a stack of layers.
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
#pragma once

#include <string>
#include <vector>

#include "layers/layer.h"

namespace tn {

std::string summary(const std::vector<Layer*>& layers, const Shape& input_shape, const std::string& title = "");

// One row of the table: what a graph (layers/network.h) knows of each layer.
struct SummaryRow {
    std::string name, class_name;
    Shape output_shape;
    int64_t params = 0;
};
// The same table from rows already computed.
std::string summary_table(const std::vector<SummaryRow>& rows, const std::string& title = "");

// 45700 -> "45,700" (the totals of the summary).
std::string format_thousands(int64_t n);

}  // namespace tn
