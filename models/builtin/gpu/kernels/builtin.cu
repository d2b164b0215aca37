// builtin.cu: the built-in model (models/builtin) in INT8 on NVIDIA GPUs.
//
// One fused kernel runs a whole batch: every thread block takes groups of S
// samples in turn (a persistent, grid-stride loop) and runs the three conv
// blocks and the FC layer of each group with all activations in shared
// memory. The conv weights and requantisation constants are copied from the
// device's parameter blob into shared memory once per block; the FC weights
// are read through the read-only cache.
//
// Arithmetic is the CPU INT8 executor's (models/builtin/executor.go,
// pool.go), so the classes equal the CPU's bit for bit:
//   - input pixel p → q = (p·127 + 127) / 255 in [0, 127];
//   - conv sums of uint8 activations × int8 weights in int32 (exact, so the
//     order of the dp4a sums does not matter; activations ≤ 127 are also
//     valid signed bytes, so signed dp4a is exact);
//   - 2×2 max-pool of the sums, then q = trunc(float(m)·mult + qbias + 0.5)
//     clamped to [0, 127], each operation rounded to float32 (the _rn
//     intrinsics are never fused into an FMA);
//   - FC: logit = float(sum)·scale + bias (two roundings, no FMA), and the
//     class is the first maximum.
// Tensors are HWC; a conv weight word holds 4 input channels of one tap,
// so one dp4a does 4 MACs. The host (gpu/params.go) packs the blob whose
// offsets are below.
//
// Regenerate builtin.ptx with `go generate ./models/builtin/gpu`.

#ifndef BUILTIN_EMU
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
#endif

// The network: 32×32×1 → 16 → 32 → 64 channels → 12 classes.
#define THREADS 256

// Parameter blob (bytes). Everything before SMEM_PARAMS goes to shared memory.
#define OFF_W1 0          // int32 [16 ch][8]: (ky0 dx0, ky0 dx1, ky1 dx0, ky1 dx1, ky2 dx0, ky2 dx1, 0, 0)
#define OFF_M1 512        // float [16] requant multipliers
#define OFF_B1 576        // float [16] requant biases (in output quanta)
#define OFF_W2 640        // int32 [36 words k = tap·4 + cin/4][32 ch]
#define OFF_M2 5248       // float [32]
#define OFF_B2 5376       // float [32]
#define OFF_W3 5504       // int32 [72 words k = tap·8 + cin/4][64 ch]
#define OFF_M3 23936      // float [64]
#define OFF_B3 24192      // float [64]
#define SMEM_PARAMS 24448
#define OFF_WFC 24448     // int32 [256 words k = (y·4 + x)·16 + c/4][12 classes]
#define OFF_FCS 36736     // float [12] logit scale per class
#define OFF_FCB 36784     // float [12] logit bias per class
#define PARAMS_SIZE 36832

// One sample's slot in shared memory: zero-padded layer inputs.
#define SL_IN 0           // u8 [34][34]: quantised input, padded by 1
#define SL_O1 1168        // u8 [18][18][16]: block 1 output, padded by 1
#define SL_O2 6352        // u8 [10][10][32]: block 2 output, padded by 1
#define SL_O3 9552        // u8 [4][4][64]: block 3 output = FC input
#define SLOT 10576

// requant is poolRequantGo's arithmetic for one channel.
__device__ __forceinline__ u32 requant(int m, float mult, float qbias) {
  float v = __fadd_rn(__fadd_rn(__fmul_rn((float)m, mult), qbias), 0.5f);
  int q = __float2int_rz(v);
  return (u32)min(max(q, 0), 127);
}

__device__ __forceinline__ u32 quant4(u32 w) {
  u32 r = 0;
#pragma unroll
  for (int j = 0; j < 4; j++) {
    u32 p = (w >> (8 * j)) & 255u;
    r |= ((p * 127u + 127u) / 255u) << (8 * j);
  }
  return r;
}

__device__ __forceinline__ int max4(int a, int b, int c, int d) { return max(max(a, b), max(c, d)); }

template <int S>
__device__ __forceinline__ void builtin_body(const u8* __restrict__ in, long long n, int* __restrict__ out,
                                             const u8* __restrict__ params, uint4* smem4) {
  u8* const smem = (u8*)smem4;
  u8* const slots = smem + SMEM_PARAMS;
  const int tid = threadIdx.x;

  for (int i = tid; i < SMEM_PARAMS / 16; i += THREADS) smem4[i] = __ldg((const uint4*)(params + 16 * i));
  for (int i = SMEM_PARAMS / 16 + tid; i < (SMEM_PARAMS + S * SLOT) / 16; i += THREADS) smem4[i] = make_uint4(0, 0, 0, 0);
  __syncthreads();

  const int4* const W1 = (const int4*)(smem + OFF_W1);
  const float* const M1 = (const float*)(smem + OFF_M1);
  const float* const B1 = (const float*)(smem + OFF_B1);
  const int4* const W2 = (const int4*)(smem + OFF_W2);
  const float* const M2 = (const float*)(smem + OFF_M2);
  const float* const B2 = (const float*)(smem + OFF_B2);
  const int4* const W3 = (const int4*)(smem + OFF_W3);
  const float* const M3 = (const float*)(smem + OFF_M3);
  const float* const B3 = (const float*)(smem + OFF_B3);

  const long long groups = (n + S - 1) / S;
  for (long long g = blockIdx.x; g < groups; g += gridDim.x) {
    const long long base = g * S;

    // Input: 64 × 16 bytes per sample, quantised into the padded 34×34 slot.
    for (int i = tid; i < S * 64; i += THREADS) {
      const int s = i >> 6, part = i & 63;
      uint4 v = make_uint4(0, 0, 0, 0);
      if (base + s < n) v = __ldcs((const uint4*)(in + (base + s) * 1024 + part * 16));
      const int row = part >> 1, col = (part & 1) * 16;
      u8* d = slots + s * SLOT + SL_IN + (row + 1) * 34 + col + 1;
      const u32 w[4] = {quant4(v.x), quant4(v.y), quant4(v.z), quant4(v.w)};
#pragma unroll
      for (int j = 0; j < 16; j++) d[j] = (u8)(w[j >> 2] >> (8 * (j & 3)));
    }
    __syncthreads();

    // Block 1: a thread per 2×2 pooling window, all 16 channels. Kernel row
    // ky of output column dx is one dp4a of the 4-byte patch row with the
    // weights shifted by dx.
    for (int i = tid; i < S * 256; i += THREADS) {
      const int s = i >> 8, w = i & 255, wy = w >> 4, wx = w & 15;
      const u8* ip = slots + s * SLOT + SL_IN + (2 * wy) * 34 + 2 * wx;
      int r[4];
#pragma unroll
      for (int k = 0; k < 4; k++)
        r[k] = (int)((u32) * (const u16*)(ip + k * 34) | ((u32) * (const u16*)(ip + k * 34 + 2) << 16));
      u32 o[4] = {0, 0, 0, 0};
#pragma unroll
      for (int c = 0; c < 16; c++) {
        const int4 wa = W1[2 * c], wb = W1[2 * c + 1];
        int a00 = __dp4a(r[0], wa.x, 0), a01 = __dp4a(r[0], wa.y, 0);
        int a10 = __dp4a(r[1], wa.x, 0), a11 = __dp4a(r[1], wa.y, 0);
        a00 = __dp4a(r[1], wa.z, a00); a01 = __dp4a(r[1], wa.w, a01);
        a10 = __dp4a(r[2], wa.z, a10); a11 = __dp4a(r[2], wa.w, a11);
        a00 = __dp4a(r[2], wb.x, a00); a01 = __dp4a(r[2], wb.y, a01);
        a10 = __dp4a(r[3], wb.x, a10); a11 = __dp4a(r[3], wb.y, a11);
        o[c >> 2] |= requant(max4(a00, a01, a10, a11), M1[c], B1[c]) << (8 * (c & 3));
      }
      *(uint4*)(slots + s * SLOT + SL_O1 + ((wy + 1) * 18 + wx + 1) * 16) = make_uint4(o[0], o[1], o[2], o[3]);
    }
    __syncthreads();

    // Block 2: a thread per (8-channel group, sample, 2×2 window); a warp
    // shares its channel group, so weight loads are broadcasts.
    for (int i = tid; i < S * 256; i += THREADS) {
      const int w = i & 63, s = (i >> 6) % S, cg = (i >> 6) / S, wy = w >> 3, wx = w & 7;
      const u8* ip = slots + s * SLOT + SL_O1 + ((2 * wy) * 18 + 2 * wx) * 16;
      int acc[4][8];
#pragma unroll
      for (int p = 0; p < 4; p++)
#pragma unroll
        for (int j = 0; j < 8; j++) acc[p][j] = 0;
#pragma unroll
      for (int ky = 0; ky < 3; ky++) {
#pragma unroll
        for (int kx = 0; kx < 3; kx++) {
          int4 a[4];
#pragma unroll
          for (int p = 0; p < 4; p++) a[p] = *(const int4*)(ip + ((ky + (p >> 1)) * 18 + kx + (p & 1)) * 16);
#pragma unroll
          for (int q = 0; q < 4; q++) {
            const int4* wp = W2 + ((ky * 3 + kx) * 4 + q) * 8 + cg * 2;
            const int4 w0 = wp[0], w1 = wp[1];
            const int wv[8] = {w0.x, w0.y, w0.z, w0.w, w1.x, w1.y, w1.z, w1.w};
#pragma unroll
            for (int p = 0; p < 4; p++) {
              const int av = q == 0 ? a[p].x : q == 1 ? a[p].y : q == 2 ? a[p].z : a[p].w;
#pragma unroll
              for (int j = 0; j < 8; j++) acc[p][j] = __dp4a(av, wv[j], acc[p][j]);
            }
          }
        }
      }
      u32 o[2] = {0, 0};
#pragma unroll
      for (int j = 0; j < 8; j++) {
        const int c = cg * 8 + j;
        o[j >> 2] |= requant(max4(acc[0][j], acc[1][j], acc[2][j], acc[3][j]), M2[c], B2[c]) << (8 * (j & 3));
      }
      *(uint2*)(slots + s * SLOT + SL_O2 + ((wy + 1) * 10 + wx + 1) * 32 + cg * 8) = make_uint2(o[0], o[1]);
    }
    __syncthreads();

    // Block 3: as block 2, two samples per warp (16 windows each).
    for (int i = tid; i < S * 128; i += THREADS) {
      const int w = i & 15, s = (i >> 4) % S, cg = (i >> 4) / S, wy = w >> 2, wx = w & 3;
      const u8* ip = slots + s * SLOT + SL_O2 + ((2 * wy) * 10 + 2 * wx) * 32;
      int acc[4][8];
#pragma unroll
      for (int p = 0; p < 4; p++)
#pragma unroll
        for (int j = 0; j < 8; j++) acc[p][j] = 0;
#pragma unroll
      for (int ky = 0; ky < 3; ky++) {
#pragma unroll
        for (int kx = 0; kx < 3; kx++) {
#pragma unroll
          for (int h = 0; h < 2; h++) {
            int4 a[4];
#pragma unroll
            for (int p = 0; p < 4; p++) a[p] = *(const int4*)(ip + ((ky + (p >> 1)) * 10 + kx + (p & 1)) * 32 + h * 16);
#pragma unroll
            for (int q = 0; q < 4; q++) {
              const int4* wp = W3 + ((ky * 3 + kx) * 8 + h * 4 + q) * 16 + cg * 2;
              const int4 w0 = wp[0], w1 = wp[1];
              const int wv[8] = {w0.x, w0.y, w0.z, w0.w, w1.x, w1.y, w1.z, w1.w};
#pragma unroll
              for (int p = 0; p < 4; p++) {
                const int av = q == 0 ? a[p].x : q == 1 ? a[p].y : q == 2 ? a[p].z : a[p].w;
#pragma unroll
                for (int j = 0; j < 8; j++) acc[p][j] = __dp4a(av, wv[j], acc[p][j]);
              }
            }
          }
        }
      }
      u32 o[2] = {0, 0};
#pragma unroll
      for (int j = 0; j < 8; j++) {
        const int c = cg * 8 + j;
        o[j >> 2] |= requant(max4(acc[0][j], acc[1][j], acc[2][j], acc[3][j]), M3[c], B3[c]) << (8 * (j & 3));
      }
      *(uint2*)(slots + s * SLOT + SL_O3 + (wy * 4 + wx) * 64 + cg * 8) = make_uint2(o[0], o[1]);
    }
    __syncthreads();

    // FC: a warp per sample, each lane 8 of the 256 input words, then a
    // butterfly sum (exact in int32) and the argmax on lane 0.
    const int warp = tid >> 5, lane = tid & 31;
    if (warp < S && base + warp < n) {
      const u8* fin = slots + warp * SLOT + SL_O3;
      int acc[12];
#pragma unroll
      for (int c = 0; c < 12; c++) acc[c] = 0;
#pragma unroll
      for (int j = 0; j < 8; j++) {
        const int k = j * 32 + lane;
        const int av = *(const int*)(fin + 4 * k);
        const int4* wp = (const int4*)(params + OFF_WFC + k * 48);
        const int4 w0 = __ldg(wp), w1 = __ldg(wp + 1), w2 = __ldg(wp + 2);
        const int wv[12] = {w0.x, w0.y, w0.z, w0.w, w1.x, w1.y, w1.z, w1.w, w2.x, w2.y, w2.z, w2.w};
#pragma unroll
        for (int c = 0; c < 12; c++) acc[c] = __dp4a(av, wv[c], acc[c]);
      }
#pragma unroll
      for (int off = 16; off > 0; off >>= 1)
#pragma unroll
        for (int c = 0; c < 12; c++) acc[c] += __shfl_xor_sync(0xffffffffu, acc[c], off);
      if (lane == 0) {
        const float* fs = (const float*)(params + OFF_FCS);
        const float* fb = (const float*)(params + OFF_FCB);
        int best = 0;
        float bv = 0.0f;
#pragma unroll
        for (int c = 0; c < 12; c++) {
          const float v = __fadd_rn(__fmul_rn((float)acc[c], __ldg(fs + c)), __ldg(fb + c));
          if (c == 0 || v > bv) {
            best = c;
            bv = v;
          }
        }
        out[base + warp] = best;
      }
    }
    // No barrier here: the next group's first writes (its input) touch only
    // SL_IN, last read by block 1 before two barriers.
  }
}

#ifndef BUILTIN_EMU
// The kernels: builtin_int8_sS runs groups of S samples per block; its
// dynamic shared memory is SMEM_PARAMS + S·SLOT bytes. Every parameter is
// 8 bytes (the launcher passes 8-byte slots).
#define KERNEL(S)                                                                                  \
  extern "C" __global__ void __launch_bounds__(THREADS) builtin_int8_s##S(                         \
      const u8* __restrict__ in, long long n, int* __restrict__ out, const u8* __restrict__ params) { \
    extern __shared__ uint4 smem[];                                                                \
    builtin_body<S>(in, n, out, params, smem);                                                     \
  }
KERNEL(2)
KERNEL(4)
KERNEL(8)
#endif
