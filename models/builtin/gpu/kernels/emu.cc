// emu.cc: a CPU emulator of builtin.cu's kernel, a test tool. It runs the
// kernel body on the CPU with one OS thread per CUDA thread, a barrier for
// __syncthreads and a per-warp exchange for shuffles, so the kernel's
// indexing and arithmetic are checked against the CPU INT8 executor on
// machines without a GPU (gpu/emu_test.go). It says nothing about speed.
//
//   g++ -std=c++20 -O2 -pthread -ffp-contract=off -o emu emu.cc
//   emu S GRID params.bin input.bin output.bin
#include <barrier>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;

struct int4 { int x, y, z, w; };
struct uint4 { u32 x, y, z, w; };
struct uint2 { u32 x, y; };
static inline uint4 make_uint4(u32 x, u32 y, u32 z, u32 w) { return uint4{x, y, z, w}; }
static inline uint2 make_uint2(u32 x, u32 y) { return uint2{x, y}; }

struct dim { unsigned x; };
static thread_local dim threadIdx, blockIdx;
static dim gridDim;

#define __device__
#define __forceinline__ inline
#define BUILTIN_EMU 1

static std::barrier<>* block_barrier;
static std::barrier<>* warp_barrier[8];
static int warp_buf[8][32];

static inline void __syncthreads() { block_barrier->arrive_and_wait(); }
static inline int __shfl_xor_sync(unsigned, int v, int off) {
  const int w = threadIdx.x / 32, l = threadIdx.x % 32;
  warp_buf[w][l] = v;
  warp_barrier[w]->arrive_and_wait();
  const int r = warp_buf[w][l ^ off];
  warp_barrier[w]->arrive_and_wait();
  return r;
}
template <class T> static inline T __ldg(const T* p) { return *p; }
template <class T> static inline T __ldcs(const T* p) { return *p; }
static inline int __dp4a(int a, int b, int c) {
  for (int j = 0; j < 4; j++) c += (int)(int8_t)(a >> (8 * j)) * (int)(int8_t)(b >> (8 * j));
  return c;
}
// Compiled with -ffp-contract=off on SSE: each operation rounds to float32.
static inline float __fmul_rn(float a, float b) { return a * b; }
static inline float __fadd_rn(float a, float b) { return a + b; }
static inline int __float2int_rz(float v) { return (int)v; }
static inline int min(int a, int b) { return a < b ? a : b; }
static inline int max(int a, int b) { return a > b ? a : b; }

#include "builtin.cu"

static std::vector<u8> slurp(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) { perror(path); exit(2); }
  std::vector<u8> b;
  u8 buf[65536];
  size_t k;
  while ((k = fread(buf, 1, sizeof buf, f)) > 0) b.insert(b.end(), buf, buf + k);
  fclose(f);
  return b;
}

template <int S>
static void run(unsigned grid, const u8* in, long long n, int* out, const u8* params) {
  std::vector<uint4> smem((SMEM_PARAMS + S * SLOT) / 16);
  gridDim.x = grid;
  for (unsigned b = 0; b < grid; b++) {
    std::barrier<> bb(THREADS);
    block_barrier = &bb;
    for (int w = 0; w < THREADS / 32; w++) warp_barrier[w] = new std::barrier<>(32);
    // Garbage in shared memory, as on a GPU: the kernel must not rely on zeros.
    memset(smem.data(), 0xa5, smem.size() * 16);
    std::vector<std::thread> ts;
    for (int t = 0; t < THREADS; t++)
      ts.emplace_back([&, t] {
        threadIdx.x = t;
        blockIdx.x = b;
        builtin_body<S>(in, n, out, params, smem.data());
      });
    for (auto& t : ts) t.join();
    for (int w = 0; w < THREADS / 32; w++) delete warp_barrier[w];
  }
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: emu S GRID params.bin input.bin output.bin\n");
    return 2;
  }
  const int s = atoi(argv[1]);
  const unsigned grid = (unsigned)atoi(argv[2]);
  std::vector<u8> params = slurp(argv[3]), in = slurp(argv[4]);
  if (params.size() != PARAMS_SIZE || in.size() % 1024 != 0 || grid < 1) {
    fprintf(stderr, "emu: bad sizes\n");
    return 2;
  }
  const long long n = in.size() / 1024;
  std::vector<int> out(n, -1);
  switch (s) {
    case 2: run<2>(grid, in.data(), n, out.data(), params.data()); break;
    case 4: run<4>(grid, in.data(), n, out.data(), params.data()); break;
    case 8: run<8>(grid, in.data(), n, out.data(), params.data()); break;
    default: fprintf(stderr, "emu: S must be 2, 4 or 8\n"); return 2;
  }
  FILE* f = fopen(argv[5], "wb");
  if (!f || fwrite(out.data(), 4, n, f) != (size_t)n || fclose(f) != 0) { perror(argv[5]); return 2; }
  return 0;
}
