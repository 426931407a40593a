#include "train/load_model.h"

namespace tn {

std::unique_ptr<Model> load_model(const std::string& path, ModelFileInfo* info, const CustomLayers& custom_layers) {
    auto model = std::make_unique<Model>();
    load_network(*model, path, info, custom_layers);
    return model;
}

}  // namespace tn
