// tapenet layers: Multiply (Keras Multiply: the element-wise product of its inputs. layers/merge.h has the rules all merges share).
#pragma once

#include "layers/merge.h"

namespace tn {

class Multiply : public Merge {
public:
    Multiply() : Merge("multiply") {}
    std::string class_name() const override { return "Multiply"; }
    static std::unique_ptr<Layer> from_config(const ConfigReader&) { return std::make_unique<Multiply>(); }

protected:
    Tensor merge(const std::vector<Tensor>& inputs) const override;
};

}  // namespace tn
