// libFuzzer target: arbitrary bytes as a saved model (model.json + its weights file) fed to the
// loaders. Any crash, sanitizer report, leak, hang or out-of-memory is a bug: bad input must end in
// an exception with a message, nothing else.
//
//   make fuzz                       # builds build-fuzz/fuzz_model_loader with clang, runs FUZZ_SECONDS
//
// The input is split at the first "\n#WEIGHTS#\n": the bytes before it are written as model.json,
// the bytes after it as weights.bin beside it (the name the seeds' manifests use). The seeds are
// the fixtures of tests/fixtures, joined the same way (see the Makefile's fuzz rule).
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <string_view>

#include "core/tensor.h"
#include "io/model_format.h"
#include "train/checkpoint.h"
#include "train/load_model.h"

namespace {

const std::string& work_dir() {
    static const std::string dir = [] {
        char tmpl[] = "/tmp/tapenet_fuzz_XXXXXX";
        if (!::mkdtemp(tmpl)) std::abort();
        const std::string saved = std::string(tmpl) + "/saved";
        if (::mkdir(saved.c_str(), 0755) != 0) std::abort();
        return std::string(tmpl);
    }();
    return dir;
}

void write(const std::string& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::string_view separator = "\n#WEIGHTS#\n";
    const size_t cut = input.find(separator);
    const std::string model_json = work_dir() + "/model.json";
    write(model_json, input.substr(0, cut));
    write(work_dir() + "/weights.bin", cut == std::string_view::npos ? std::string_view() : input.substr(cut + separator.size()));

    std::unique_ptr<tn::Model> model;
    try {
        model = tn::load_model(model_json);
    } catch (const std::exception&) {
        return 0;  // the expected outcome for almost every input
    }
    // It loaded: it must also predict, save and load back, and survive being read as a checkpoint.
    try {
        tn::Shape shape = model->input_shape();
        shape[0] = 1;
        for (int64_t& d : shape)
            if (d < 0) d = 2;
        if (tn::shape_numel(shape) <= 4096) model->predict(tn::Tensor::zeros(shape));  // index 0 is valid for Embedding
        tn::save_model(*model, work_dir() + "/saved/model.json");
        tn::load_model(work_dir() + "/saved/model.json");
    } catch (const std::exception&) {
    }
    try {
        tn::load_checkpoint(model_json);
    } catch (const std::exception&) {
    }
    return 0;
}
