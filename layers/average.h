// tapenet layers: Average (Keras Average: the element-wise mean of its inputs. layers/merge.h has the rules all merges share).
#pragma once

#include "layers/merge.h"

namespace tn {

class Average : public Merge {
public:
    Average() : Merge("average") {}
    std::string class_name() const override { return "Average"; }
    static std::unique_ptr<Layer> from_config(const ConfigReader&) { return std::make_unique<Average>(); }

protected:
    Tensor merge(const std::vector<Tensor>& inputs) const override;
};

}  // namespace tn
