#include "examples/example_args.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <limits>
#include <system_error>

#include "core/parallel.h"
#include "train/distributed.h"

namespace tn::examples {

void Flags::add(const std::string& name, std::string& value, const std::string& metavar, const std::string& help) {
    add_flag(name, metavar, help, value, [this, name, &value](const std::string& text) {
        if (text.empty()) fail(name + " expects a non-empty value");
        value = text;
    });
}

std::optional<int> Flags::parse(int argc, char** argv) {
    try {
        for (int i = 1; i < argc; ++i) {
            std::string arg = argv[i];
            if (arg == "--help" || arg == "-h") {
                std::cout << usage();
                return 0;
            }
            std::optional<std::string> value;
            if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
                value = arg.substr(eq + 1);
                arg.resize(eq);
            }
            const Flag* flag = find(arg);
            if (!flag) fail("unknown " + std::string(arg.rfind("-", 0) == 0 ? "flag" : "argument") + " '" +
                            arg + "' (see --help)");
            if (!value) {
                if (i + 1 >= argc) fail(arg + " needs a value");
                value = argv[++i];
            }
            flag->set(*value);
        }
    } catch (const BadFlag& e) {
        std::cerr << program_ << ": " << e.what() << "\n";
        return 2;
    }
    return std::nullopt;
}

std::string Flags::usage() const {
    size_t width = std::string("--help").size();
    for (const Flag& f : flags_) width = std::max(width, f.name.size() + 1 + f.metavar.size());
    auto line = [width](std::string left, const std::string& right) {
        left.resize(width, ' ');
        return "  " + left + "  " + right + "\n";
    };
    std::string text = "Usage: " + program_ + " [flags]\n" + about_ + "\n\nFlags:\n";
    for (const Flag& f : flags_)
        text += line(f.name + " " + f.metavar, f.help + " (default: " + f.default_text + ")");
    return text + line("--help", "this text");
}

void Flags::add_flag(const std::string& name, const std::string& metavar, const std::string& help,
                     std::string default_text, std::function<void(const std::string&)> set) {
    flags_.push_back({name, help, std::move(default_text), metavar, std::move(set)});
}

const Flags::Flag* Flags::find(const std::string& name) const {
    for (const Flag& f : flags_)
        if (f.name == name) return &f;
    return nullptr;
}

void add_common_flags(Flags& flags, CommonArgs& args) {
    flags.add("--epochs", args.epochs, 1, 10000, "training epochs");
    flags.add("--seed", args.seed, uint64_t{0}, std::numeric_limits<uint64_t>::max(),
              "seed of the data, the initial weights and the shuffling");
    flags.add("--out", args.out, "DIR", "output folder (created if missing)");
    flags.add("--threads", args.threads, 1, 256, "threads (1: reproduces the documented runs bit for bit)");
    flags.add("--verbose", args.verbose, 0, 2, "0 quiet, 1 progress bar, 2 one line per epoch");
}

namespace {

std::string g_scratch;  // a rank > 0's stand-in for --out

void remove_scratch() {
    std::error_code ec;
    std::filesystem::remove_all(g_scratch, ec);
}

}  // namespace

void apply_common_args(CommonArgs& args) {
    tn::set_num_threads(args.threads);
    if (const int rank = tn::distributed::rank(); rank > 0) {
        g_scratch = (std::filesystem::temp_directory_path() /
                     ("tapenet-rank" + std::to_string(rank) + "-" + std::to_string(::getpid()))).string();
        args.out = g_scratch;
        std::atexit(remove_scratch);
        if (!std::freopen("/dev/null", "w", stdout)) throw std::runtime_error("cannot silence rank " + std::to_string(rank));
    }
    std::error_code ec;
    std::filesystem::create_directories(args.out, ec);
    if (ec) throw std::runtime_error("cannot create the output folder '" + args.out + "': " + ec.message());
}

int run_example(const std::string& program, const std::function<int()>& body) {
    try {
        return body();
    } catch (const std::exception& e) {
        if (tn::distributed::world_size() > 1) tn::distributed::abort(program + ": error: " + e.what());
        std::cerr << program << ": error: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace tn::examples
