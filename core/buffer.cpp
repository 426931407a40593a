#include "core/buffer.h"

#include <sys/sysinfo.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <new>
#include <string>
#include <vector>

#include "core/error.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>  // cached blocks are poisoned: a use after free still reports
#define TN_POISON(p, bytes) ASAN_POISON_MEMORY_REGION(p, bytes)
#define TN_UNPOISON(p, bytes) ASAN_UNPOISON_MEMORY_REGION(p, bytes)
#else
#define TN_POISON(p, bytes) ((void)(p), (void)(bytes))
#define TN_UNPOISON(p, bytes) ((void)(p), (void)(bytes))
#endif

namespace tn {

namespace {

constexpr std::align_val_t kAlign{64};

// n rounded up to its 4 leading bits: 16, 17, ..., 31, 32, 34, ..., 62, 64, 68, ...
size_t size_class(size_t n) {
    const int shift = std::max(0, static_cast<int>(std::bit_width(n)) - 4);
    const size_t step = size_t{1} << shift;
    return (n + step - 1) / step * step;
}

// The machine's memory and swap in bytes, read once: no block larger than that can ever be
// allocated (under overcommit it might be granted, and the process killed when it is filled).
size_t memory_and_swap_bytes() {
    static const size_t bytes = [] {
        struct sysinfo info {};
        if (::sysinfo(&info) != 0) return SIZE_MAX;
        return (static_cast<size_t>(info.totalram) + static_cast<size_t>(info.totalswap)) * info.mem_unit;
    }();
    return bytes;
}

std::string gib(size_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / double(size_t{1} << 30));
    return text;
}

// n floats, 64-byte aligned. A size beyond the machine's memory and swap, or an allocator that
// fails, throws an AllocationError saying how much was asked for.
float* allocate_floats(size_t n) {
    const auto asked = [n] { return std::to_string(n) + " floats (" + gib(n * sizeof(float)) + ")"; };
    if (n > memory_and_swap_bytes() / sizeof(float))
        throw AllocationError("cannot allocate " + asked() + ": more than this machine's memory and swap (" +
                              gib(memory_and_swap_bytes()) + ")");
    try {
        return static_cast<float*>(::operator new(n * sizeof(float), kAlign));
    } catch (const std::bad_alloc&) {
        throw AllocationError("cannot allocate " + asked() + ": out of memory");
    }
}
void free_floats(float* p) { ::operator delete(p, kAlign); }

struct Cache {
    struct Block {
        size_t floats;  // its size class
        float* p;
    };
    std::vector<Block> blocks;  // least recently freed first
    size_t bytes = 0;

    ~Cache();
    float* take(size_t floats) {
        for (size_t i = blocks.size(); i-- > 0;)
            if (blocks[i].floats == floats) {
                float* p = blocks[i].p;
                blocks.erase(blocks.begin() + static_cast<std::ptrdiff_t>(i));
                bytes -= floats * sizeof(float);
                TN_UNPOISON(p, floats * sizeof(float));
                return p;
            }
        return nullptr;
    }
    void put(size_t floats, float* p) {
        const size_t b = floats * sizeof(float);
        if (b > buffer_cache::kCacheBytes) return free_floats(p);
        size_t drop = 0;
        for (; bytes + b > buffer_cache::kCacheBytes; ++drop) {
            bytes -= blocks[drop].floats * sizeof(float);
            TN_UNPOISON(blocks[drop].p, blocks[drop].floats * sizeof(float));
            free_floats(blocks[drop].p);
        }
        blocks.erase(blocks.begin(), blocks.begin() + static_cast<std::ptrdiff_t>(drop));
        TN_POISON(p, b);
        blocks.push_back({floats, p});
        bytes += b;
    }
    void clear() {
        for (const Block& k : blocks) {
            TN_UNPOISON(k.p, k.floats * sizeof(float));
            free_floats(k.p);
        }
        blocks.clear();
        bytes = 0;
    }
};

// A buffer freed on a thread whose cache is not alive (never used there, or already destroyed at
// thread exit) goes straight back to the allocator. The flag is trivially destructible, so it can
// be read at any time.
thread_local bool cache_alive = false;

Cache& the_cache() {
    thread_local Cache cache;
    cache_alive = true;
    return cache;
}

Cache::~Cache() {
    clear();
    cache_alive = false;
}

}  // namespace

FloatBuffer::FloatBuffer(int64_t n) : n_(static_cast<size_t>(n)) {
    if (n_ == 0) return;
    if (n_ < buffer_cache::kMinCachedFloats) {
        p_ = allocate_floats(n_);
        return;
    }
    const size_t floats = size_class(n_);
    p_ = the_cache().take(floats);
    if (!p_) p_ = allocate_floats(floats);
}

FloatBuffer::FloatBuffer(int64_t n, float fill) : FloatBuffer(n) { std::fill(begin(), end(), fill); }

FloatBuffer& FloatBuffer::operator=(FloatBuffer&& o) noexcept {
    if (this != &o) {
        reset();
        p_ = o.p_, n_ = o.n_;
        o.p_ = nullptr, o.n_ = 0;
    }
    return *this;
}

void FloatBuffer::reset() {
    if (!p_) return;
    if (n_ >= buffer_cache::kMinCachedFloats && cache_alive)
        the_cache().put(size_class(n_), p_);
    else
        free_floats(p_);
    p_ = nullptr;
    n_ = 0;
}

namespace buffer_cache {

size_t cached_bytes() { return the_cache().bytes; }
size_t cached_blocks() { return the_cache().blocks.size(); }
void clear() { the_cache().clear(); }

}  // namespace buffer_cache

}  // namespace tn

#undef TN_POISON
#undef TN_UNPOISON
