// tapenet layers: Subtract (Keras Subtract: inputs[0] - inputs[1] (exactly two inputs). layers/merge.h has the rules all merges share).
#pragma once

#include "layers/merge.h"

namespace tn {

class Subtract : public Merge {
public:
    Subtract() : Merge("subtract") {}
    std::string class_name() const override { return "Subtract"; }
    static std::unique_ptr<Layer> from_config(const ConfigReader&) { return std::make_unique<Subtract>(); }

protected:
    Tensor merge(const std::vector<Tensor>& inputs) const override;
    size_t max_inputs() const override { return 2; }
};

}  // namespace tn
