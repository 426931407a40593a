// tapenet core: threads. tapenet has one pool of threads and one thread count (tn::set_num_threads;
// by default OpenBLAS's, i.e. OPENBLAS_NUM_THREADS or the number of cores). OpenBLAS itself is kept
// at one thread: its idle workers spin for a while after each product and would take the core
// away from ours. Work is split across the pool by parallel_for:
//   * large matrix products, by rows or columns of the result (core/gemm.cpp);
//   * loops over independent rows that are too small for that, such as the batch rows of a
//     recurrent layer running through its time steps (layers/lstm_kernel.cpp): one part per
//     thread, each doing its own small products on its own thread.
// A parallel_for started inside a part of another runs as one part, so the cores are never
// oversubscribed. Several threads may call parallel_for at once (one model predicting on several
// threads): one of them has the pool, the others run the same parts one after another themselves.
// The parts depend only on n, min_part and num_threads(), so a result has the same bits whichever
// thread got the pool.
//
//   tn::parallel_for(B, /*min_part=*/8, [&](int64_t b0, int64_t b1) {
//       for (int64_t b = b0; b < b1; ++b) ...   // rows b0..b1-1 only: no shared writes
//   });
#pragma once

#include <cstdint>
#include <functional>

namespace tn {

// Sets the number of threads tapenet uses (n >= 1; the calling thread counts as one).
void set_num_threads(int n);
int num_threads();

// Calls body(begin, end) on disjoint parts [begin, end) that cover [0, n), each at least `min_part`
// long, on up to num_threads() threads (the calling thread runs the first part), and returns when
// every part is done; an exception thrown by a part is rethrown here. Parts must not write to
// shared memory without their own synchronization. Runs as one part on the calling thread when
// there is one thread, when n < 2 * min_part, or inside a part of another parallel_for; runs its
// parts in turn on the calling thread when the pool is running another thread's parallel_for.
void parallel_for(int64_t n, int64_t min_part, const std::function<void(int64_t, int64_t)>& body);

}  // namespace tn
