// tapenet core: the tape, reverse-mode automatic differentiation.
//
// Each thread has one tape: a list of backward closures, in the order the ops ran. An op whose
// inputs need gradients (and when recording is on) appends a closure that reads the gradient of
// its output and adds (+=) into the gradients of its inputs. `loss.backward()` seeds the loss's
// gradient with 1 and runs the closures in reverse order, then clears the tape, which frees every
// intermediate the closures held. So memory does not grow across training steps.
//
//   {
//     tn::NoGrad no_grad;          // inference: nothing is recorded
//     Tensor y = model_forward(x);
//   }
//
// Writing an op (see core/ops_*.cpp for many): compute the output, then
//   if (tape::wants_grad({&a, &b})) {
//     out.attach_grad();
//     tape::record("my_op", [ga = a.grad_slot(), gout = out.grad_slot(), ...] { ... });
//   }
// A closure captures only what its backward needs: the gradient slots, and the values it reads.
#pragma once

#include <cstddef>
#include <functional>
#include <initializer_list>

#include "core/tensor.h"

namespace tn {

namespace tape {

// True when recording is on and at least one of the tensors needs a gradient.
bool wants_grad(std::initializer_list<const Tensor*> inputs);
// Appends a backward closure.
void record(const char* op, std::function<void()> backward);
// Runs every closure in reverse order, then clears the tape.
void run_backward();
// Drops the recorded closures without running them (e.g. after an evaluation that recorded).
void clear();
// Number of recorded entries (for tests and debugging).
std::size_t size();
bool recording();

}  // namespace tape

// RAII guard: while alive, ops on this thread record nothing.
class NoGrad {
public:
    NoGrad();
    ~NoGrad();
    NoGrad(const NoGrad&) = delete;
    NoGrad& operator=(const NoGrad&) = delete;

private:
    bool previous_;
};

}  // namespace tn
