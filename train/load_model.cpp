#include "train/load_model.h"

namespace tn {

std::unique_ptr<Model> load_model(const std::string& path, ModelFileInfo* info) {
    auto model = std::make_unique<Model>();
    load_network(*model, path, info);
    return model;
}

}  // namespace tn
