#include "core/tape.h"

#include <string>
#include <vector>

namespace tn {

namespace {

struct Entry {
    const char* op;
    std::function<void()> backward;
};

struct Tape {
    std::vector<Entry> entries;
    bool recording = true;
};

Tape& the_tape() {
    thread_local Tape tape;
    return tape;
}

}  // namespace

namespace tape {

bool wants_grad(std::initializer_list<const Tensor*> inputs) {
    if (!the_tape().recording) return false;
    for (const Tensor* t : inputs)
        if (t->defined() && t->needs_grad()) return true;
    return false;
}

void record(const char* op, std::function<void()> backward) {
    the_tape().entries.push_back({op, std::move(backward)});
}

void run_backward() {
    auto& entries = the_tape().entries;
    // Move the entries out first: a closure that throws must still leave an empty tape behind.
    std::vector<Entry> list;
    list.swap(entries);
    for (auto it = list.rbegin(); it != list.rend(); ++it) it->backward();
}

void clear() { the_tape().entries.clear(); }

std::size_t size() { return the_tape().entries.size(); }

bool recording() { return the_tape().recording; }

}  // namespace tape

NoGrad::NoGrad() : previous_(the_tape().recording) { the_tape().recording = false; }
NoGrad::~NoGrad() { the_tape().recording = previous_; }

}  // namespace tn
