// tapenet core: FloatBuffer, the float storage of tensors, gradients and kernel scratch, and the
// thread's cache of freed buffers behind it.
//
// A training step allocates the same big buffers as the step before (an LSTM over 500 steps keeps
// tens of megabytes of gates). Fresh from the allocator, such blocks are new pages that the OS maps
// and zeroes again on every step, which cost a sixth to a third of a training step. So a freed
// buffer of at least kMinCachedFloats goes to a small cache on its thread instead, and the next
// request of the same size class takes it back:
//   * size classes keep 4 significant bits of the size (at most 1/8 more than asked; the unused
//     tail of a big block is never touched, so it costs address space, not memory);
//   * the cache holds at most kCacheBytes per thread, dropping the least recently freed first;
//   * it lives with the thread's tape (core/tape.h) and is the only other per-thread state;
//     `buffer_cache::clear()` hands everything back to the allocator.
// A FloatBuffer is never shared with a live one: a block is in the cache or owned by exactly one buffer.
//
//   FloatBuffer a(1 << 20);           // uninitialized, 64-byte aligned
//   FloatBuffer z(1 << 20, 0.0f);     // filled
#pragma once

#include <cstddef>
#include <cstdint>

namespace tn {

class FloatBuffer {
public:
    FloatBuffer() = default;
    explicit FloatBuffer(int64_t n);        // uninitialized: for buffers written in full before read
    FloatBuffer(int64_t n, float fill);
    ~FloatBuffer() { reset(); }
    FloatBuffer(FloatBuffer&& o) noexcept : p_(o.p_), n_(o.n_) { o.p_ = nullptr, o.n_ = 0; }
    FloatBuffer& operator=(FloatBuffer&& o) noexcept;
    FloatBuffer(const FloatBuffer&) = delete;
    FloatBuffer& operator=(const FloatBuffer&) = delete;

    float* data() { return p_; }
    const float* data() const { return p_; }
    size_t size() const { return n_; }
    bool empty() const { return n_ == 0; }
    float& operator[](int64_t i) { return p_[i]; }
    const float& operator[](int64_t i) const { return p_[i]; }
    float* begin() { return p_; }
    float* end() { return p_ + n_; }
    const float* begin() const { return p_; }
    const float* end() const { return p_ + n_; }
    void clear() { reset(); }  // gives the block back (to the cache when it is big)

private:
    void reset();
    float* p_ = nullptr;
    size_t n_ = 0;
};

namespace buffer_cache {

constexpr size_t kMinCachedFloats = size_t{1} << 14;  // 64 KB: smaller blocks the allocator reuses well
constexpr size_t kCacheBytes = size_t{256} << 20;     // 256 MB per thread

size_t cached_bytes();   // bytes held by this thread's cache (counted by size class)
size_t cached_blocks();
void clear();            // frees every cached block of this thread

}  // namespace buffer_cache

}  // namespace tn
