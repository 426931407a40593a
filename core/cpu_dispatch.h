// tapenet core: run-time CPU dispatch for the vector kernels.
//
// The library is compiled for any x86-64 CPU (SSE2). A function whose time goes into vector loops
// is marked TN_VECTOR_KERNEL, and GCC compiles it three times: for x86-64-v4 (AVX-512), for
// x86-64-v3 (AVX2 + FMA) and for the baseline. The first call resolves the symbol once (an ifunc,
// through __builtin_cpu_supports) to the best version this CPU runs; later calls go straight to it.
//
//   TN_VECTOR_KERNEL void scale_row(int64_t n, float a, const float* __restrict x, float* __restrict y) {
//   #pragma omp simd
//       for (int64_t i = 0; i < n; ++i) y[i] = a * x[i];
//   }
//
// The marked function must be a free function or a function template (not virtual, not a lambda:
// put a lambda's loops into a named function), and should hold whole loops: each call goes
// through the resolved pointer and is not inlined into its caller. What it calls inline
// (always_inline helpers, templates) is compiled into each version.
// A version gives the same bits on every call on one CPU, but versions may differ from each other
// in the last bits: v3 and v4 contract a * b + c into one FMA and sum reductions in wider vectors.
//
// Off (one version, compiled for the flags of the build): with TN_NO_CPU_DISPATCH (`make
// ARCH=native` and `make SANITIZE=thread` define it: ThreadSanitizer crashes in the ifunc
// resolvers, which run before its runtime is ready), with clang (no target_clones on templates),
// and off x86-64.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(TN_NO_CPU_DISPATCH)
#define TN_VECTOR_KERNEL __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TN_VECTOR_KERNEL
#endif
